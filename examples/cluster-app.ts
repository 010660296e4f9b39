// One app instance of a cluster on one Redis (issue 11), as its own process: the
// multi-instance tests (test/cluster/) and bench/cluster-latency.ts start several of these
// (`node dist/examples/cluster-app.js`) and put a round-robin front before them.
//
// Environment: PORT (default 0: any free port), HOST (default 127.0.0.1), REDIS_URL
// (required unless STATE=memory), STATE: 'redis' (default) or 'memory' (each instance on
// its own, for the harness self-test on a build without the Redis state, and to show what a
// round-robin front does to sessions that are not shared), APP: 'test' (default:
// test/helpers.ts testServer() plus the tools below),
// 'conformance' (examples/conformance-server.ts) or 'demo' (examples/demo-server.ts),
// LOG_LEVEL (default 'warn'; logs go to stderr). When ready it prints exactly one line on
// stdout, `listening <port>`. SIGTERM (or SIGINT) closes the app and exits 0. With
// EXIT_WITH_PARENT=1 it also closes when its stdin ends, so a killed parent leaves no
// instance behind.
//
// For tests only, routes outside the MCP paths let a test cause something on this very
// instance: POST /_test/notify, /_test/broadcast, /_test/resource-updated,
// /_test/list-changed, /_test/request, /_test/close, GET /_test/sessions.
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import mcpTransport, { type McpServer, type McpTransportOptions } from '../lib/index.js'
// The cluster tests run the exact server the single-instance tests use, so that "N instances
// behave like one server" compares like with like.
import { testServer } from '../test/helpers.js'
import { createConformanceServer } from './conformance-server.js'
import { createDemoServer } from './demo-server.js'
import { redisStateOptions } from './shared-state.js'

export const APPS = ['test', 'conformance', 'demo'] as const
export type AppName = typeof APPS[number]
/** The resource the 'test' app serves so that resources/subscribe and resourceUpdated have a target. */
export const WATCHED_URI = 'test://cluster/watched'
const FORCE_EXIT_MS = 10_000

/** The test server plus what cluster tests need: a notify tool and a resource to watch. */
function clusterTestServer (app: FastifyInstance): McpServer {
  const server = testServer()
  server.tool('notify', {
    description: 'Sends notifications/message {data: text} to a session\'s GET stream (this session\'s unless sessionId is given), from this instance',
    input: Type.Object({ text: Type.String(), sessionId: Type.Optional(Type.String()) })
  }, async ({ text, sessionId }: { text: string, sessionId?: string }, ctx) => {
    const target = sessionId ?? ctx.session?.id
    // With the Redis state the answer is a promise: the stream may be on another instance.
    const delivered = target !== undefined && await app.mcpSessions.notify(target, { method: 'notifications/message', params: { level: 'info', data: text } })
    return JSON.stringify({ delivered })
  })
  server.resource('watched', WATCHED_URI, { description: 'A resource for subscription tests', mimeType: 'text/plain' }, () => 'watched')
  return server
}

function serverFor (name: AppName, app: FastifyInstance): McpServer {
  switch (name) {
    case 'test': return clusterTestServer(app)
    case 'conformance': return createConformanceServer()
    case 'demo': return createDemoServer()
  }
}

interface NotifyBody { sessionId: string, method: string, params?: Record<string, unknown>, stamp?: boolean }

/** The admin routes: plain Fastify routes beside (not under) the MCP endpoint. */
function testRoutes (app: FastifyInstance, server: McpServer): void {
  let added = 0
  // stamp: params.sentAt is this process's monotonic clock (ns) just before the send, which
  // another process of the machine can compare with its own (bench/cluster-latency.ts).
  app.post<{ Body: NotifyBody }>('/_test/notify', async (request) => {
    const { sessionId, method, stamp } = request.body
    const params = stamp === true ? { ...request.body.params, sentAt: process.hrtime.bigint().toString() } : request.body.params
    return { delivered: await app.mcpSessions.notify(sessionId, params === undefined ? { method } : { method, params }) }
  })
  app.post<{ Body: Omit<NotifyBody, 'sessionId'> }>('/_test/broadcast', async (request) => {
    const { method, params } = request.body
    return { delivered: await app.mcpSessions.broadcast(params === undefined ? { method } : { method, params }) }
  })
  app.post<{ Body: { uri: string } }>('/_test/resource-updated', async (request) => {
    return { delivered: await server.resourceUpdated(request.body.uri) }
  })
  // Adding a tool makes the server announce notifications/tools/list_changed.
  app.post('/_test/list-changed', async () => {
    const name = `dynamic_${++added}`
    server.tool(name, { description: 'Added by POST /_test/list-changed' }, () => name)
    return { tool: name }
  })
  // A server-to-client request outside any client request, on the session's GET stream.
  app.post<{ Body: NotifyBody & { timeout?: number } }>('/_test/request', async (request) => {
    const { sessionId, method, params, timeout } = request.body
    try {
      return { result: await server.request(sessionId, method, params, timeout === undefined ? undefined : { timeout }) }
    } catch (err) {
      return { error: { message: (err as Error).message, code: (err as { code?: unknown }).code } }
    }
  })
  app.post<{ Body: { sessionId: string } }>('/_test/close', async (request) => {
    return { closed: app.mcpSessions.close(request.body.sessionId) }
  })
  app.get('/_test/sessions', async () => ({
    pid: process.pid,
    size: app.mcpSessions.size,
    totalCreated: app.mcpSessions.totalCreated,
    ids: app.mcpSessions.list().map((session) => session.id)
  }))
}

export interface ClusterAppOptions {
  app?: AppName
  logLevel?: string
  /** The shared-state options; the process entry point passes Redis's (redisStateOptions). */
  state: (app: FastifyInstance) => Partial<McpTransportOptions> | Promise<Partial<McpTransportOptions>>
  transport?: Partial<McpTransportOptions>
}

/** One instance, not listening yet. */
export async function buildClusterApp (options: ClusterAppOptions): Promise<FastifyInstance> {
  // stdout carries the one `listening <port>` line; the log goes to stderr.
  const app = Fastify({ logger: { level: options.logLevel ?? 'warn', stream: process.stderr } })
  const server = serverFor(options.app ?? 'test', app)
  // The state first: its onClose hook must run after the plugin's (see shared-state.ts).
  const state = await options.state(app)
  await app.register(mcpTransport, { server, ...state, ...options.transport })
  testRoutes(app, server)
  return app
}

function appFromEnv (value: string | undefined): AppName {
  const name = value === undefined || value === '' ? 'test' : value
  if (!(APPS as readonly string[]).includes(name)) throw new Error(`APP must be one of ${APPS.join(', ')}, got ${name}`)
  return name as AppName
}

function portFromEnv (value: string | undefined): number {
  const port = value === undefined || value === '' ? 0 : Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0-65535, got ${String(value)}`)
  return port
}

/** Builds, listens, announces `listening <port>`, and closes on SIGTERM/SIGINT (or stdin's end). */
export async function runClusterApp (state: ClusterAppOptions['state'], env: NodeJS.ProcessEnv = process.env): Promise<FastifyInstance> {
  // TASK_LEASE_TIMEOUT (ms): how soon another instance fails the tasks of one that died.
  const lease = env.TASK_LEASE_TIMEOUT === undefined ? undefined : Number(env.TASK_LEASE_TIMEOUT)
  const app = await buildClusterApp({ app: appFromEnv(env.APP), logLevel: env.LOG_LEVEL, state, transport: lease === undefined ? undefined : { tasks: { leaseTimeout: lease } } })
  await app.listen({ host: env.HOST ?? '127.0.0.1', port: portFromEnv(env.PORT) })
  let closing = false
  const close = (): void => {
    if (closing) return
    closing = true
    setTimeout(() => process.exit(1), FORCE_EXIT_MS).unref()
    app.close().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`close failed: ${(err as Error).stack ?? String(err)}\n`)
      process.exit(1)
    })
  }
  process.on('SIGTERM', close)
  process.on('SIGINT', close)
  if (env.EXIT_WITH_PARENT === '1') {
    process.stdin.on('end', close)
    process.stdin.resume()
  }
  process.stdout.write(`listening ${(app.server.address() as { port: number }).port}\n`)
  return app
}

/** The state the environment asks for: Redis at REDIS_URL, or (STATE=memory) each instance's own. */
function stateFromEnv (env: NodeJS.ProcessEnv): ClusterAppOptions['state'] {
  const kind = env.STATE ?? 'redis'
  if (kind === 'memory') return () => ({})
  if (kind !== 'redis') throw new Error(`STATE must be redis or memory, got ${kind}`)
  const url = env.REDIS_URL
  if (url === undefined || url === '') throw new Error('REDIS_URL is required (e.g. redis://127.0.0.1:6379), or STATE=memory')
  return (app) => redisStateOptions(app, url)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await runClusterApp(stateFromEnv(process.env))
  } catch (err) {
    process.stderr.write(`cluster-app: ${(err as Error).message}\n`)
    process.exit(1)
  }
}
