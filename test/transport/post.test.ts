import { test } from 'tap'
import { buildApp, initializeBody, initSession, post, sessionHeaders, sseMessages, LATEST } from '../helpers.js'

test('initialize creates a session with a visible-ASCII id in Mcp-Session-Id', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await post(app, initializeBody())
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /application\/json/)
  const id = res.headers['mcp-session-id'] as string
  t.match(id, /^[\x21-\x7e]{16,}$/)
  const body = res.json()
  t.same(body.id, 1)
  t.equal(body.result.protocolVersion, LATEST)
  t.equal(body.result.serverInfo.name, 'test-server')
  t.equal(app.mcpSessions.size, 1)
})

test('session ids are unique per initialize', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const a = await initSession(app)
  const b = await initSession(app)
  t.not(a, b)
})

test('version negotiation: a supported version is echoed, an unknown one gets the latest', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  for (const version of ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25']) {
    const res = await post(app, initializeBody(version))
    t.equal(res.json().result.protocolVersion, version, version)
  }
  const res = await post(app, initializeBody('1999-01-01'))
  t.equal(res.json().result.protocolVersion, LATEST)
  t.equal(app.mcpSessions.get(res.headers['mcp-session-id'] as string)?.protocolVersion, LATEST)
})

test('the session remembers client capabilities and info', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const body = initializeBody()
  body.params.capabilities = { sampling: {} } as any
  const res = await post(app, body)
  const session = app.mcpSessions.get(res.headers['mcp-session-id'] as string)!
  t.same(session.clientCapabilities, { sampling: {} })
  t.same(session.clientInfo, { name: 'tap', version: '1.0.0' })
  t.same(app.mcpSessions.list()[0].clientInfo, { name: 'tap', version: '1.0.0' })
})

test('initialize on a live session is refused with 400 -32600', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, initializeBody(), { 'mcp-session-id': id })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32600)
  t.equal(app.mcpSessions.size, 1)
})

test('a failing initialize leaves no session and no session header', async (t) => {
  const app = await buildApp({}, {
    handleRequest () { throw new Error('no') }
  } as any)
  t.teardown(() => app.close())
  const res = await post(app, initializeBody())
  t.equal(res.statusCode, 200)
  t.equal(res.json().error.code, -32603)
  t.equal(res.headers['mcp-session-id'], undefined)
  t.equal(app.mcpSessions.size, 0)
})

test('notifications and responses are accepted with 202 and no body', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const n = await post(app, { jsonrpc: '2.0', method: 'notifications/initialized' }, sessionHeaders(id))
  t.equal(n.statusCode, 202)
  t.equal(n.body, '')
  const r = await post(app, { jsonrpc: '2.0', id: 99, result: {} }, sessionHeaders(id))
  t.equal(r.statusCode, 202)
  t.equal(r.body, '')
  const e = await post(app, { jsonrpc: '2.0', id: 98, error: { code: -1, message: 'x' } }, sessionHeaders(id))
  t.equal(e.statusCode, 202)
})

test('requests without Mcp-Session-Id get 400; unknown ids get 404', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const missing = await post(app, { jsonrpc: '2.0', id: 1, method: 'tools/list' })
  t.equal(missing.statusCode, 400)
  t.equal(missing.json().error.code, -32000)
  t.equal(missing.json().id, 1, 'the error carries the request id it could read')
  const unknown = await post(app, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-session-id': 'nope' })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().error.code, -32001)
  const notif = await post(app, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': 'nope' })
  t.equal(notif.statusCode, 404)
})

test('MCP-Protocol-Version: unsupported → 400; absent is accepted', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const bad = await post(app, { jsonrpc: '2.0', id: 2, method: 'ping' }, { 'mcp-session-id': id, 'mcp-protocol-version': '1999-01-01' })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().error.message, /Unsupported protocol version: 1999-01-01/)
  const absent = await post(app, { jsonrpc: '2.0', id: 3, method: 'ping' }, { 'mcp-session-id': id })
  t.equal(absent.statusCode, 200)
  t.same(absent.json().result, {})
})

test('ping answers an empty result', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 'p', method: 'ping' }, sessionHeaders(id))
  t.same(res.json(), { jsonrpc: '2.0', id: 'p', result: {} })
})

test('unknown methods get -32601 in a 200 JSON-RPC answer', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'no/such' }, sessionHeaders(id))
  t.equal(res.statusCode, 200)
  t.equal(res.json().error.code, -32601)
})

test('a handler that throws answers -32603 with a safe message and logs the error', async (t) => {
  const logs: string[] = []
  const Fastify = (await import('fastify')).default
  const mcp = (await import('../../lib/index.js')).default
  const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => { logs.push(line) } } } })
  await app.register(mcp, { server: { handleRequest (req: any) { if (req.method === 'initialize') return { protocolVersion: LATEST, capabilities: {}, serverInfo: { name: 'x', version: '1' } }; throw new Error('secret internals') } } as any })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'x' }, sessionHeaders(id))
  t.same(res.json().error, { code: -32603, message: 'Internal error' })
  t.notMatch(res.body, /secret/)
  t.ok(logs.some((l) => l.includes('secret internals')), 'the full error is in the log')
})

test('invalid JSON → 400 -32700 without id', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await post(app, '{"jsonrpc": "2.0", ')
  t.equal(res.statusCode, 400)
  t.same(res.json(), { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the body is not valid JSON' } })
})

test('JSON that is not JSON-RPC → 400 -32600', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  for (const body of [{ hello: 'world' }, { jsonrpc: '1.0', id: 1, method: 'ping' }, [], 42, 'text', { jsonrpc: '2.0', id: null, method: 'x' }, { jsonrpc: '2.0', id: 1.5, method: 'x' }]) {
    const res = await post(app, JSON.stringify(body))
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.equal(res.json().error.code, -32600)
  }
})

test('wrong Content-Type → 415', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await post(app, initializeBody(), { 'content-type': 'text/plain' })
  t.equal(res.statusCode, 415)
  t.equal(res.json().error.code, -32000)
})

test('application/json with a charset parameter is accepted', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await post(app, initializeBody(), { 'content-type': 'application/json; charset=utf-8' })
  t.equal(res.statusCode, 200)
})

test('a body over bodyLimit → 413 with a JSON-RPC error', async (t) => {
  const app = await buildApp({ bodyLimit: 1024 })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const big = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x'.repeat(2000) } } }
  const res = await post(app, big, sessionHeaders(id))
  t.equal(res.statusCode, 413)
  t.equal(res.json().error.code, -32600)
  t.match(res.json().error.message, /larger than 1024 bytes/)
})

test('the default bodyLimit is 4 MiB: just under passes, just over is 413', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const envelope = (n: number) => JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x'.repeat(n) } } })
  const overhead = envelope(0).length
  const under = await post(app, envelope(4 * 1024 * 1024 - overhead), sessionHeaders(id))
  t.equal(under.statusCode, 200)
  t.equal(under.json().result.content[0].text.length, 4 * 1024 * 1024 - overhead)
  const over = await post(app, envelope(4 * 1024 * 1024 - overhead + 1), sessionHeaders(id))
  t.equal(over.statusCode, 413)
})

test('Accept must allow JSON and SSE in auto mode (406 otherwise); wildcards count', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const onlyJson = await post(app, initializeBody(), { accept: 'application/json' })
  t.equal(onlyJson.statusCode, 406)
  t.equal(onlyJson.json().error.code, -32000)
  const onlySse = await post(app, initializeBody(), { accept: 'text/event-stream' })
  t.equal(onlySse.statusCode, 406)
  const refused = await post(app, initializeBody(), { accept: 'application/json, text/event-stream;q=0' })
  t.equal(refused.statusCode, 406)
  t.equal((await post(app, initializeBody(), { accept: '*/*' })).statusCode, 200)
  t.equal((await post(app, initializeBody(), { accept: 'application/*, text/*' })).statusCode, 200)
  t.equal((await post(app, initializeBody(), { accept: 'application/json;q=0.5, text/event-stream;q=1.0' })).statusCode, 200)
})

test('json mode needs only JSON in Accept; sse mode only SSE', async (t) => {
  const json = await buildApp({ responseMode: 'json' })
  t.teardown(() => json.close())
  t.equal((await post(json, initializeBody(), { accept: 'application/json' })).statusCode, 200)
  t.equal((await post(json, initializeBody(), { accept: 'text/event-stream' })).statusCode, 406)
  const sse = await buildApp({ responseMode: 'sse' })
  t.teardown(() => sse.close())
  t.equal((await post(sse, initializeBody(), { accept: 'text/event-stream' })).statusCode, 200)
  t.equal((await post(sse, initializeBody(), { accept: 'application/json' })).statusCode, 406)
})

test('auto mode: a request whose handler sends progress first is answered with SSE', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'progress', arguments: {}, _meta: { progressToken: 'tok' } } }, sessionHeaders(id))
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/event-stream')
  t.equal(res.headers['cache-control'], 'no-cache, no-transform')
  t.equal(res.headers['x-accel-buffering'], 'no')
  const messages = sseMessages(res.body)
  t.same(messages.map((m) => m.method ?? 'response'), ['notifications/progress', 'notifications/progress', 'response'])
  t.same(messages[0].params, { progressToken: 'tok', progress: 1, total: 2 })
  t.same(messages[2], { jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'done' }] } })
  t.equal(app.mcpSessions.list()[0].streams, 0, 'the stream ended after the response')
})

test('auto mode: without a progressToken the same call is plain JSON', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'progress', arguments: {} } }, sessionHeaders(id))
  t.match(res.headers['content-type'], /application\/json/)
  t.equal(res.json().result.content[0].text, 'done')
})

test('sse mode answers every request with a stream', async (t) => {
  const app = await buildApp({ responseMode: 'sse' })
  t.teardown(() => app.close())
  const init = await post(app, initializeBody())
  t.equal(init.headers['content-type'], 'text/event-stream')
  const id = init.headers['mcp-session-id'] as string
  t.ok(id, 'the session header survives the switch to SSE')
  t.equal(sseMessages(init.body)[0].result.protocolVersion, LATEST)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'ping' }, sessionHeaders(id))
  t.same(sseMessages(res.body), [{ jsonrpc: '2.0', id: 2, result: {} }])
})

test('json mode drops progress and answers with JSON only', async (t) => {
  const app = await buildApp({ responseMode: 'json' })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'progress', arguments: {}, _meta: { progressToken: 1 } } }, sessionHeaders(id))
  t.match(res.headers['content-type'], /application\/json/)
  t.equal(res.json().result.content[0].text, 'done')
})

test('headers set by hooks survive the switch to SSE', async (t) => {
  const Fastify = (await import('fastify')).default
  const mcp = (await import('../../lib/index.js')).default
  const { testServer } = await import('../helpers.js')
  const app = Fastify()
  app.addHook('onRequest', async (_req, reply) => { reply.header('x-trace', 'abc') })
  await app.register(mcp, { server: testServer() })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'progress', arguments: {}, _meta: { progressToken: 1 } } }, sessionHeaders(id))
  t.equal(res.headers['content-type'], 'text/event-stream')
  t.equal(res.headers['x-trace'], 'abc')
})

test('other methods on the endpoint get 405 with Allow', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  for (const method of ['PUT', 'PATCH'] as const) {
    const res = await app.inject({ method, url: '/mcp' })
    t.equal(res.statusCode, 405)
    t.equal(res.headers.allow, 'GET, POST, DELETE')
  }
})

test('the plugin honours a custom path and a prefix', async (t) => {
  const Fastify = (await import('fastify')).default
  const mcp = (await import('../../lib/index.js')).default
  const { testServer } = await import('../helpers.js')
  const app = Fastify()
  await app.register(mcp, { server: testServer(), path: '/rpc', prefix: '/api' } as any)
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'POST', url: '/api/rpc', headers: { 'content-type': 'application/json' }, payload: initializeBody() })
  t.equal(res.statusCode, 200)
})

test('Accept answers are remembered per value, and the memory stays bounded', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  for (let i = 0; i < 70; i++) {
    const res = await post(app, initializeBody(), { accept: `application/json, text/event-stream, x/y${i}` })
    t.equal(res.statusCode, 200)
  }
  t.equal((await post(app, initializeBody(), { accept: 'application/json' })).statusCode, 406)
  t.equal((await post(app, initializeBody(), { accept: 'application/json' })).statusCode, 406, 'the remembered answer is the same')
  t.equal((await post(app, initializeBody(), { accept: '' })).statusCode, 200, 'an empty Accept accepts anything')
})
