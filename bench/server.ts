// The bench target for our plugin: `npm run bench:server` serves it on PORT (default 3000),
// path /mcp. The runner starts it with PORT=0 and reads the port from the READY line. With
// REDIS_URL set, every piece of shared state lives in that Redis (the `plugin-redis` target).
import Fastify, { type FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import mcpTransport, { createMcpServer } from '../lib/index.js'
import { sharedStateFromEnv } from '../examples/shared-state.js'
import { announce, memoryNow, portFromEnv, stopOnSignal, type BenchStats } from './targets/lifecycle.js'

// High enough that no workload meets them: `init` opens tens of thousands of sessions per
// process, `sse` holds 10,000 streams, `memory` cycles 100,000 sessions.
const SESSION_TIMEOUT = 60 * 60 * 1000
const MAX_SESSIONS = 1_000_000

export async function buildBenchApp (): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  const server = createMcpServer({ name: 'fastify-mcp-transport-bench', version: '0.1.0' })

  server.tool('echo', {
    description: 'Returns its text',
    input: Type.Object({ text: Type.String() })
  }, ({ text }: { text: string }) => ({ content: [{ type: 'text', text }] }))

  server.tool('notify', {
    description: 'Sends a log notification carrying the tag on this request\'s stream, then answers "ok"',
    input: Type.Object({ tag: Type.String() })
  }, ({ tag }: { tag: string }, ctx) => {
    ctx.log('info', tag)
    return 'ok'
  })

  server.tool('broadcast', {
    description: 'Sends a log notification carrying the tag to every session\'s GET stream',
    input: Type.Object({ tag: Type.String() })
  }, ({ tag }: { tag: string }) => {
    const sent = app.mcpSessions.broadcast({ method: 'notifications/message', params: { level: 'info', data: tag } })
    return JSON.stringify({ sent })
  })

  server.tool('bench_stats', {
    description: 'Sessions, open streams, heapUsed and rss (after a GC when started with --expose-gc and gc is true)',
    input: Type.Object({ gc: Type.Optional(Type.Boolean()) })
  }, ({ gc = false }: { gc?: boolean }) => {
    const memory = memoryNow(gc)
    let streams = 0
    for (const session of app.mcpSessions.list()) streams += session.streams
    const stats: BenchStats & { gc: boolean } = { sessions: app.mcpSessions.size, streams, heapUsed: memory.heapUsed, rss: memory.rss, gc: memory.gc }
    return JSON.stringify(stats)
  })

  server.tool('progress', {
    description: 'Reports progress `steps` times (default 10) on the POST stream, then answers',
    input: Type.Object({ steps: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) })
  }, ({ steps = 10 }: { steps?: number }, ctx) => {
    for (let i = 1; i <= steps; i++) ctx.progress(i, steps)
    return 'done'
  })

  server.tool('length', {
    description: 'Answers the length of its text (the large-body workload: input cost without a large output)',
    input: Type.Object({ text: Type.String() })
  }, ({ text }: { text: string }) => String(text.length))

  const state = await sharedStateFromEnv(app)
  // MCP_BENCH_TELEMETRY=1: the same target with the telemetry option and a real SDK behind it.
  // Imported only then, so the target without it loads no OpenTelemetry module at all.
  const telemetry = process.env.MCP_BENCH_TELEMETRY === '1' ? (await import('./targets/telemetry-sdk.js')).benchTelemetry() : null
  if (telemetry !== null) app.addHook('onClose', () => telemetry.shutdown())
  // The plugin-limited target: every tools/call counted by the in-memory limiter, under a
  // limit no workload reaches, so what is measured is the cost of counting.
  const rateLimit = process.env.BENCH_RATE_LIMIT === '1' ? { max: Number.MAX_SAFE_INTEGER } : undefined
  await app.register(mcpTransport, {
    server,
    sessionTimeout: SESSION_TIMEOUT,
    maxSessions: MAX_SESSIONS,
    rateLimit,
    ...state,
    telemetry: telemetry === null ? false : telemetry
  })
  return app
}

const app = await buildBenchApp()
await app.listen({ host: '127.0.0.1', port: portFromEnv(3000) })
const address = app.server.address()
announce(typeof address === 'object' && address !== null ? address.port : 0)
stopOnSignal(() => app.close())
