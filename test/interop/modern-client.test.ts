// End to end: the official SDK v2 client (@modelcontextprotocol/client 2.4.0) negotiating
// the 2026-07-28 era, and the legacy SDK 1.x client initializing a session, against ONE
// running app (dual-era endpoint, spec item 97).
import { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client'
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { buildApp, testServer } from '../helpers.js'
import type { McpServer } from '../../lib/index.js'

function dualServer (): McpServer {
  const server = testServer()
  server.tool('greet', { description: 'Asks for a name (input_required in 2026-07-28)' }, async (_args, ctx) => {
    const answer = await ctx.elicit({ message: 'Name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } }, { key: 'name' })
    return `Hello, ${String(answer.content?.name)}`
  })
  return server
}

async function listen (app: FastifyInstance): Promise<URL> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no TCP address')
  return new URL(`http://127.0.0.1:${address.port}/mcp`)
}

test('a 2026-07-28 SDK client and a 2025 SDK client share one endpoint', async (t) => {
  const server = dualServer()
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const url = await listen(app)

  const modern = new ModernClient({ name: 'modern', version: '1.0.0' }, {
    capabilities: { elicitation: {} },
    versionNegotiation: { mode: 'auto' }
  })
  modern.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name: 'Ada' } }))
  await modern.connect(new ModernTransport(url))
  t.teardown(() => modern.close())

  const legacy = new LegacyClient({ name: 'legacy', version: '1.0.0' })
  const legacyTransport = new LegacyTransport(url)
  await legacy.connect(legacyTransport)
  t.teardown(() => legacy.close())

  t.equal(modern.getNegotiatedProtocolVersion(), '2026-07-28', 'the SDK v2 client negotiated the modern era')
  t.equal(legacy.getServerVersion()?.name, 'test-server', 'the legacy client initialized')
  t.ok(typeof legacyTransport.sessionId === 'string', 'the legacy client got a session')
  t.equal(app.mcpSessions.size, 1, 'only the legacy client holds a session')

  const tools = await modern.listTools()
  t.ok(tools.tools.some((tool) => tool.name === 'greet'), 'the modern client lists tools statelessly')
  const greeting = await modern.callTool({ name: 'greet', arguments: {} })
  t.same(greeting.content, [{ type: 'text', text: 'Hello, Ada' }], 'input_required was fulfilled by the client handler and retried')

  const echoed = await legacy.callTool({ name: 'echo', arguments: { text: 'still legacy' } })
  t.same(echoed.content, [{ type: 'text', text: 'still legacy' }], 'the legacy session still works')
  t.equal(app.mcpSessions.size, 1, 'the modern client never created a session')
})

test('a 2026-07-28 SDK client hears list changes on subscriptions/listen', async (t) => {
  const server = dualServer()
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const url = await listen(app)
  const modern = new ModernClient({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } })
  await modern.connect(new ModernTransport(url))
  t.teardown(() => modern.close())

  const heard = new Promise<string>((resolve) => {
    modern.setNotificationHandler('notifications/tools/list_changed', (notification) => resolve(notification.method))
  })
  const subscription = await modern.listen({ toolsListChanged: true })
  t.same(subscription.honoredFilter, { toolsListChanged: true }, 'the server acknowledged the filter')
  server.tool('late', { description: 'Added after the listen stream opened' }, () => 'late')
  t.equal(await heard, 'notifications/tools/list_changed', 'the list change reached the listen stream')
  await subscription.close()
  t.equal(await subscription.closed, 'local', 'the client closed its subscription')
})
