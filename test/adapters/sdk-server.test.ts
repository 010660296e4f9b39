// fromSdkServer end to end: servers built with the official SDK (McpServer and Server) served
// by the plugin, each message routed by its related request id.
import { test, type Test } from 'tap'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { CallToolRequestSchema, ListRootsResultSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import Fastify, { type FastifyInstance } from 'fastify'
import { z } from 'zod'
import mcpTransport, { type McpSessionInfo } from '../../lib/index.js'
import { fromSdkServer, type SdkServerAdapter } from '../../lib/adapters/index.js'
import { initSession, initializeBody, post, sessionHeaders, sseMessages } from '../helpers.js'
import { HttpSession, SseReader, listen } from '../server/http-client.js'

interface Built { app: FastifyInstance, adapter: SdkServerAdapter, servers: McpServer[], sessions: Array<McpSessionInfo | undefined> }

function sdkServer (): McpServer {
  const server = new McpServer({ name: 'sdk', version: '3.0.0' }, { capabilities: { logging: {} } })
  server.registerTool('add', { description: 'Add', inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }))
  server.registerTool('steps', { description: 'Reports progress', inputSchema: {} }, async (_args, extra) => {
    for (const progress of [1, 2]) {
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: extra._meta!.progressToken!, progress, total: 2 } })
    }
    return { content: [{ type: 'text', text: 'stepped' }] }
  })
  server.registerTool('roots', { description: 'Asks for roots', inputSchema: {} }, async (_args, extra) => {
    const { roots } = await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema)
    return { content: [{ type: 'text', text: roots.map((r) => r.uri).join(',') }] }
  })
  server.registerTool('wait', { description: 'Waits for cancellation', inputSchema: {} }, (_args, extra) => new Promise((resolve) => {
    extra.signal.addEventListener('abort', () => resolve({ content: [{ type: 'text', text: 'aborted' }] }))
  }))
  return server
}

async function build (t: Test, factory = sdkServer): Promise<Built> {
  const servers: McpServer[] = []
  const sessions: Array<McpSessionInfo | undefined> = []
  const adapter = fromSdkServer((session) => {
    sessions.push(session)
    const server = factory()
    servers.push(server)
    return server
  })
  const app = Fastify()
  await app.register(mcpTransport, { server: adapter })
  t.teardown(() => app.close())
  return { app, adapter, servers, sessions }
}

test('initialize is answered by the SDK server, one per session, created with the session', async (t) => {
  const { app, servers, sessions, adapter } = await build(t)
  const res = await post(app, initializeBody())
  t.equal(res.statusCode, 200)
  const { result } = res.json()
  t.same(result.serverInfo, { name: 'sdk', version: '3.0.0' })
  t.equal(result.protocolVersion, '2025-11-25')
  t.ok(result.capabilities.tools, 'the SDK declares its own capabilities')
  t.equal(servers.length, 1)
  t.equal(sessions[0]?.id, res.headers['mcp-session-id'], 'the factory got the session')
  await initSession(app)
  t.equal(servers.length, 2, 'a second session gets its own SDK server')
  t.equal(adapter.size, 2)
})

test('tools/call goes through the SDK and answers JSON', async (t) => {
  const { app } = await build(t)
  const session = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'add', arguments: { a: 2, b: 3 } } }, sessionHeaders(session))
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.same(res.json(), { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: '5' }] } })
})

test('an SDK error response becomes the JSON-RPC error', async (t) => {
  const { app } = await build(t)
  const session = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 'x', method: 'nothing/here' }, sessionHeaders(session))
  t.same(res.json(), { jsonrpc: '2.0', id: 'x', error: { code: -32601, message: 'Method not found' } })
})

test('notifications the SDK relates to a request travel on that request stream, before its result', async (t) => {
  const { app } = await build(t)
  const session = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'steps', _meta: { progressToken: 'p' } } }, sessionHeaders(session))
  t.match(res.headers['content-type'], /^text\/event-stream/)
  const messages = sseMessages(res.body)
  t.same(messages.map((m) => m.method ?? m.id), ['notifications/progress', 'notifications/progress', 3])
  t.same(messages[1].params, { progressToken: 'p', progress: 2, total: 2 })
})

test('a notification unrelated to any request goes on the session GET stream', async (t) => {
  const { app, servers } = await build(t)
  const session = await HttpSession.open(await listen(t, app))
  const stream = await session.listen()
  await servers[0].server.sendLoggingMessage({ level: 'info', data: 'hello from the SDK' })
  t.same(await stream.next(), { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'hello from the SDK' } })
  await stream.close()
})

test('the SDK filters its own log messages by the level the client set', async (t) => {
  const { app, servers } = await build(t)
  const session = await HttpSession.open(await listen(t, app))
  const stream = await session.listen()
  await session.post({ jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level: 'error' } })
  await servers[0].server.sendLoggingMessage({ level: 'info', data: 'dropped' }, session.id)
  await servers[0].server.sendLoggingMessage({ level: 'error', data: 'kept' }, session.id)
  t.equal((await stream.next()).params.data, 'kept')
  await stream.close()
})

test('a server-to-client request from a handler goes out on the POST stream; the POSTed answer resolves it', async (t) => {
  const { app } = await build(t)
  const session = await HttpSession.open(await listen(t, app), { roots: {} })
  const stream = new SseReader(await session.post({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'roots', arguments: {} } }))
  const request = await stream.next()
  t.equal(request.method, 'roots/list')
  await session.post({ jsonrpc: '2.0', id: request.id, result: { roots: [{ uri: 'file:///a' }, { uri: 'file:///b' }] } })
  const response = await stream.next()
  t.same(response, { jsonrpc: '2.0', id: 4, result: { content: [{ type: 'text', text: 'file:///a,file:///b' }] } })
})

test('a server-to-client request outside any client request goes out on the GET stream', async (t) => {
  const { app, servers } = await build(t)
  const session = await HttpSession.open(await listen(t, app), { roots: {} })
  const stream = await session.listen()
  const roots = servers[0].server.listRoots()
  const request = await stream.next()
  t.equal(request.method, 'roots/list')
  await session.post({ jsonrpc: '2.0', id: request.id, result: { roots: [{ uri: 'file:///a' }] } })
  t.same((await roots).roots, [{ uri: 'file:///a' }])
  await stream.close()
})

test('without a GET stream a request outside any client request fails in the SDK with a clear error', async (t) => {
  const { app, servers } = await build(t)
  await initSession(app)
  await t.rejects(servers[0].server.listRoots(), { code: -32000, message: /Cannot send roots\/list: the client is not connected/ })
})

test('cancellation reaches the SDK handler: its signal aborts and no response is sent', async (t) => {
  let started!: () => void
  const running = new Promise<void>((resolve) => { started = resolve })
  let aborted = false
  const { app } = await build(t, () => {
    const server = new McpServer({ name: 'cancel', version: '1.0.0' })
    server.registerTool('wait', { inputSchema: {} }, (_args, extra) => new Promise((resolve) => {
      extra.signal.addEventListener('abort', () => { aborted = true; resolve({ content: [] }) })
      started()
    }))
    return server
  })
  const session = await HttpSession.open(await listen(t, app))
  const answer = session.post({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'wait', arguments: {} } })
  await running
  await session.post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 5, reason: 'changed my mind' } })
  const stream = new SseReader(await answer)
  t.ok(await stream.ended(), 'the answer ends without a response')
  t.equal(aborted, true, "the SDK handler's signal aborted")
})

test('DELETE ends the session and closes its SDK server', async (t) => {
  const { app, servers, adapter } = await build(t)
  const session = await initSession(app)
  let closed = false
  servers[0].server.onclose = () => { closed = true }
  const res = await app.inject({ method: 'DELETE', url: '/mcp', headers: { 'mcp-session-id': session } })
  t.equal(res.statusCode, 200)
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(closed, true, 'the SDK server saw its connection close')
  t.equal(adapter.size, 0)
  t.equal(servers[0].isConnected(), false)
})

test('the low-level SDK Server works the same way', async (t) => {
  const adapter = fromSdkServer(() => {
    const server = new Server({ name: 'low', version: '1.0.0' }, { capabilities: { tools: {} } })
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [{ name: 'hi', inputSchema: { type: 'object' } }] }))
    server.setRequestHandler(CallToolRequestSchema, () => ({ content: [{ type: 'text', text: 'hello' }] }))
    return server
  })
  const app = Fastify()
  await app.register(mcpTransport, { server: adapter })
  t.teardown(() => app.close())
  const session = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'hi' } }, sessionHeaders(session))
  t.equal(res.json().result.content[0].text, 'hello')
})

test('a factory that throws fails initialize with -32603 and leaves no session', async (t) => {
  const adapter = fromSdkServer(() => { throw new Error('no database') })
  const app = Fastify()
  await app.register(mcpTransport, { server: adapter })
  t.teardown(() => app.close())
  const res = await post(app, initializeBody())
  t.same(res.json().error, { code: -32603, message: 'Internal error' })
  t.notOk(res.headers['mcp-session-id'])
  t.equal(adapter.size, 0)
})

test('fromSdkServer needs a factory function', async (t) => {
  t.throws(() => fromSdkServer(new McpServer({ name: 'x', version: '1' }) as any), { name: 'TypeError', message: /needs a function that returns a new SDK McpServer or Server/ })
})
