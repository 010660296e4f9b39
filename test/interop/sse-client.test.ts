// The official SDK's HTTP+SSE client (SSEClientTransport, protocol 2024-11-05 transport)
// against the plugin's GET /sse + POST /messages on a real loopback socket.
import { test, type Test } from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { ListRootsRequestSchema, ToolListChangedNotificationSchema, type Progress } from '@modelcontextprotocol/sdk/types.js'
import mcpTransport from '../../lib/index.js'
import { testServer } from '../helpers.js'
import { eventually, listen } from '../legacy/sse-reader.js'

interface Connected {
  app: FastifyInstance
  client: Client
  base: string
}

async function connect (t: Test, prefix = ''): Promise<Connected> {
  // forceCloseConnections: undici keeps a spare connection after the client aborts its
  // stream; closing it outright keeps teardown fast.
  const app = Fastify({ logger: false, forceCloseConnections: true })
  const server = testServer()
  // The SDK client runs notification handlers a microtask later but settles a response at
  // once, dropping progress that arrives in the same chunk as the result; real tools
  // report progress while they work, so this one yields between steps.
  server.tool('slow-progress', { description: 'Reports progress while working', input: Type.Object({ steps: Type.Integer() }) },
    async ({ steps }: { steps: number }, ctx) => {
      for (let i = 1; i <= steps; i++) {
        ctx.progress(i, steps)
        await sleep(10)
      }
      return 'done'
    })
  server.tool('count-roots', { description: 'Asks the client for its roots' }, async (_args, ctx) => {
    const result = await ctx.request('roots/list')
    return `roots: ${(result.roots as unknown[]).length}`
  })
  await app.register(mcpTransport, { server, prefix } as never)
  const base = await listen(app)
  const client = new Client({ name: 'sse-interop', version: '1.0.0' }, { capabilities: { roots: {} } })
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }))
  t.teardown(async () => {
    await client.close()
    await app.close()
  })
  await client.connect(new SSEClientTransport(new URL(`${base}${prefix}/sse`)))
  return { app, client, base }
}

test('SSEClientTransport connects: one session, initialized over the legacy stream', async (t) => {
  const { app, client } = await connect(t)
  t.equal(client.getServerVersion()?.name, 'test-server')
  t.same(client.getServerCapabilities()?.tools, { listChanged: true })
  const [session] = app.mcpSessions.list()
  t.equal(app.mcpSessions.size, 1)
  t.equal(session.protocolVersion, '2025-11-25')
  t.equal(session.clientInfo?.name, 'sse-interop')
  t.equal(session.streams, 1)
})

test('SSEClientTransport lists tools', async (t) => {
  const { client } = await connect(t)
  const { tools } = await client.listTools()
  const echo = tools.find((tool) => tool.name === 'echo')
  t.same(echo?.inputSchema.required, ['text'])
  t.ok(tools.some((tool) => tool.name === 'slow-progress'))
})

test('SSEClientTransport calls a tool and receives its progress on the stream', async (t) => {
  const { client } = await connect(t)
  const seen: Progress[] = []
  const result = await client.callTool({ name: 'slow-progress', arguments: { steps: 3 } }, undefined, {
    onprogress: (progress) => { seen.push(progress) }
  })
  t.same(result.content, [{ type: 'text', text: 'done' }])
  t.same(seen.map((p) => [p.progress, p.total]), [[1, 3], [2, 3], [3, 3]])
})

test('SSEClientTransport receives a notification sent with mcpSessions.broadcast', async (t) => {
  const { app, client } = await connect(t)
  const received = new Promise<string>((resolve) => {
    client.setNotificationHandler(ToolListChangedNotificationSchema, (notification) => resolve(notification.method))
  })
  t.equal(app.mcpSessions.broadcast({ method: 'notifications/tools/list_changed' }), 1)
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<string>((resolve) => { timer = setTimeout(() => resolve('timed out'), 2000) })
  t.equal(await Promise.race([received, timeout]), 'notifications/tools/list_changed')
  clearTimeout(timer)
})

test('SSEClientTransport answers a server-to-client request by POSTing its response', async (t) => {
  const { client } = await connect(t)
  const result = await client.callTool({ name: 'count-roots', arguments: {} })
  t.same(result.content, [{ type: 'text', text: 'roots: 1' }])
})

test('SSEClientTransport sees a tool failure as a tool error result', async (t) => {
  const { client } = await connect(t)
  const result = await client.callTool({ name: 'boom', arguments: {} })
  t.equal(result.isError, true)
  t.same(result.content, [{ type: 'text', text: 'tool exploded' }])
})

test('SSEClientTransport works under a prefix', async (t) => {
  const { client } = await connect(t, '/api')
  const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } })
  t.same(result.content, [{ type: 'text', text: 'hi' }])
})

test('closing the SDK client ends its session on the server', async (t) => {
  const { app, client } = await connect(t)
  await client.close()
  t.ok(await eventually(() => app.mcpSessions.size === 0), 'the session ended with its stream')
  const health = (await app.inject({ method: 'GET', url: '/health' })).json()
  t.equal(health.active_sessions, 0)
  t.equal(health.open_streams, 0)
})
