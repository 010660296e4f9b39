import Fastify from 'fastify'
import { test } from 'tap'
import mcpTransport, { createMcpServer } from '../../lib/index.js'
import { recordServerHello } from '../../lib/sessions/session-handshake.js'
import { Session } from '../../lib/sessions/session.js'
import { buildApp, initializeBody, initSession, post, sessionHeaders, sseMessages, testServer, until } from '../helpers.js'

test('an unexpected error on an MCP route is a 500 -32603 with the details only in the log', async (t) => {
  const logs: string[] = []
  const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => { logs.push(line) } } } })
  app.addHook('preHandler', async () => { throw new Error('hook internals') })
  await app.register(mcpTransport, { server: testServer() })
  t.teardown(() => app.close())
  const res = await post(app, initializeBody())
  t.equal(res.statusCode, 500)
  t.same(res.json(), { jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Internal error' } })
  t.ok(logs.some((line) => line.includes('hook internals')))
})

test('a notification sent after the response is dropped, not written anywhere', async (t) => {
  const server = createMcpServer({ name: 's', version: '1' })
  let late: Promise<void> | undefined
  server.tool('late', {}, (_args, ctx) => {
    late = new Promise((resolve) => setTimeout(() => { ctx.notify({ method: 'notifications/message', params: { level: 'info', data: 'late' } }); resolve() }, 5))
    return 'early'
  })
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'late', arguments: {} } }, sessionHeaders(id))
  t.match(res.headers['content-type'], /application\/json/)
  await late
  t.equal(app.mcpSessions.list()[0].streams, 0)
})

test('in a JSON batch a cancelled request does not hold back the others', async (t) => {
  const app = await buildApp({ responseMode: 'json' })
  t.teardown(() => app.close())
  const id = await initSession(app, '2025-03-26')
  const pending = post(app, [
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'wait', arguments: { ms: 10_000 } } },
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'wait', arguments: { ms: 100 } } }
  ], sessionHeaders(id, '2025-03-26'))
  await until(() => app.mcpSessions.list()[0].inflight === 2)
  await post(app, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } }, sessionHeaders(id, '2025-03-26'))
  const res = await pending
  t.same(res.json(), [{ jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'waited' }] } }])
})

test('an initialize cut short by shutdown leaves no session and ends its answer', async (t) => {
  let started = false
  const server = {
    handleRequest (_request: unknown, context: { signal: AbortSignal }) {
      started = true
      return new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(new Error('aborted'))))
    }
  }
  const app = await buildApp({}, server as any)
  const pending = post(app, initializeBody())
  await until(() => started)
  await app.close()
  const res = await pending
  t.equal(res.statusCode, 200)
  t.equal(res.headers['mcp-session-id'], undefined)
  t.same(sseMessages(res.body), [])
  t.equal(app.mcpSessions.size, 0)
})

test('a handler asking the client after it was cancelled gets the cancellation reason', async (t) => {
  const server = createMcpServer({ name: 's', version: '1' })
  let failure: unknown
  let done!: () => void
  const finished = new Promise<void>((resolve) => { done = resolve })
  server.tool('stubborn', {}, async (_args, ctx) => {
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))
    try {
      await ctx.request('roots/list')
    } catch (err) {
      failure = err
    }
    done()
    return 'never sent'
  })
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const id = await initSession(app)
  const call = post(app, { jsonrpc: '2.0', id: 'c', method: 'tools/call', params: { name: 'stubborn', arguments: {} } }, sessionHeaders(id))
  await until(() => app.mcpSessions.list()[0].inflight === 1)
  await post(app, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'c', reason: 'changed my mind' } }, sessionHeaders(id))
  await finished
  t.match((failure as Error).message, /changed my mind/)
  t.same(sseMessages((await call).body), [])
})

test('a server-to-client request carries its params', async (t) => {
  const server = createMcpServer({ name: 's', version: '1' })
  server.tool('sample', {}, async (_args, ctx) => JSON.stringify(await ctx.request('sampling/createMessage', { maxTokens: 5, messages: [] })))
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const id = await initSession(app)
  const call = post(app, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'sample', arguments: {} } }, sessionHeaders(id))
  const session = app.mcpSessions.get(id)!
  await until(() => session.pending.size === 1)
  const [outbound] = session.pending.keys()
  await post(app, { jsonrpc: '2.0', id: outbound, result: { role: 'assistant', content: { type: 'text', text: 'hi' } } }, sessionHeaders(id))
  const messages = sseMessages((await call).body)
  t.same(messages[0].params, { maxTokens: 5, messages: [] })
  t.same(JSON.parse(messages[1].result.content[0].text).content, { type: 'text', text: 'hi' })
})

test('ending a session rejects what its handlers wait for from the client', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const call = post(app, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask', arguments: {} } }, sessionHeaders(id))
  const session = app.mcpSessions.get(id)!
  await until(() => session.pending.size === 1)
  await app.inject({ method: 'DELETE', url: '/mcp', headers: sessionHeaders(id) })
  const messages = sseMessages((await call).body)
  t.same(messages.map((m) => m.method), ['roots/list', 'notifications/cancelled'], 'no response to the aborted call')
  t.equal(messages[1].params.requestId, messages[0].id)
  t.equal(session.pending.size, 0)
})

test('a client without clientInfo is listed without it', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  await post(app, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: null } })
  const [summary] = app.mcpSessions.list()
  t.equal(summary.clientInfo, undefined)
  t.same(app.mcpSessions.get(summary.id)!.clientCapabilities, {})
})

test('initialize without params still negotiates', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await post(app, { jsonrpc: '2.0', id: 1, method: 'initialize' })
  t.equal(res.json().result.protocolVersion, '2025-11-25')
})

test('an error answer to initialize does not change the negotiated version', async (t) => {
  const session = new Session('s', Date.now())
  session.protocolVersion = '2025-06-18'
  recordServerHello(session, { jsonrpc: '2.0', id: 1, error: { code: -1, message: 'x' } })
  t.equal(session.protocolVersion, '2025-06-18')
  recordServerHello(session, { jsonrpc: '2.0', id: 1, result: { protocolVersion: '1999-01-01' } })
  t.equal(session.protocolVersion, '2025-06-18', 'an unknown version is not adopted')
  recordServerHello(session, { jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-03-26' } })
  t.equal(session.protocolVersion, '2025-03-26')
})

test('health says closing while the app shuts down', async (t) => {
  const app = Fastify({ return503OnClosing: false })
  await app.register(mcpTransport, { server: testServer() })
  let url = ''
  let status = ''
  app.addHook('preClose', async () => {
    const res = await fetch(url, { headers: { connection: 'close' } })
    status = (await res.json()).status
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(app.server.address() as import('node:net').AddressInfo).port}/health`
  await app.close()
  t.equal(status, 'closing')
})

test('the host API given to the server reaches sessions', async (t) => {
  let host: any
  const server = testServer() as any
  server.attach = (h: unknown) => { host = h }
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const id = await initSession(app)
  t.equal(host.notify(id, { method: 'x' }), false, 'no GET stream yet')
  t.equal(host.broadcast({ method: 'x' }), 0)
})

test('HEAD on the endpoint is 405 and does not touch the stream', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await app.inject({ method: 'HEAD', url: '/mcp', headers: sessionHeaders(id) })
  t.equal(res.statusCode, 405)
  t.equal(app.mcpSessions.list()[0].streams, 0)
})

test('an HTTP+SSE session id is unknown to the Streamable HTTP endpoint', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as import('node:net').AddressInfo).port
  const { request } = await import('node:http')
  const req = request({ host: '127.0.0.1', port, path: '/sse', headers: { accept: 'text/event-stream' }, agent: false })
  req.end()
  const res = await new Promise<import('node:http').IncomingMessage>((resolve) => req.on('response', resolve))
  t.equal(res.statusCode, 200)
  await until(() => app.mcpSessions.size === 1)
  const [legacy] = app.mcpSessions.list()
  t.equal((await post(app, { jsonrpc: '2.0', id: 1, method: 'ping' }, sessionHeaders(legacy.id))).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', ...sessionHeaders(legacy.id) } })).statusCode, 404)
  req.destroy()
})

test('at shutdown a handler waiting for the client is told at once, not after the drain bound', async (t) => {
  const app = await buildApp({ shutdownTimeout: 5000 })
  const id = await initSession(app)
  const call = post(app, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask', arguments: {} } }, sessionHeaders(id))
  await until(() => app.mcpSessions.get(id)!.pending.size === 1)
  const started = Date.now()
  await app.close()
  t.ok(Date.now() - started < 1000, `close() took ${Date.now() - started} ms`)
  t.match((await call).body, /failed: The server is shutting down/)
})
