import { test } from 'tap'
import { buildApp, initSession, sessionHeaders } from '../helpers.js'
import { SseReader } from './sse-reader.js'

type App = Awaited<ReturnType<typeof buildApp>>

function getStream (app: App, id: string, headers: Record<string, string> = {}, base = '/mcp') {
  return app.inject({ method: 'GET', url: `${base}/sse/${id}`, headers: { accept: 'text/event-stream', ...headers }, payloadAsStream: true })
}

function deleteSession (app: App, id: string, headers: Record<string, string> = {}, base = '/mcp') {
  return app.inject({ method: 'DELETE', url: `${base}/sessions/${id}`, headers })
}

test('GET /mcp/sse/:sessionId opens that session\'s standalone stream, as GET /mcp does', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await getStream(app, id)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/event-stream')
  t.equal(app.mcpSessions.list()[0].streams, 1)
  t.equal(app.mcpSessions.notify(id, { method: 'notifications/tools/list_changed' }), true)
  const reader = new SseReader(res.stream())
  t.same(await reader.message(), { jsonrpc: '2.0', method: 'notifications/tools/list_changed' })
  res.stream().destroy()
})

test('GET /mcp/sse/:sessionId with an unknown id → 404', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: '/mcp/sse/unknown', headers: { accept: 'text/event-stream' } })
  t.equal(res.statusCode, 404)
  t.equal(res.json().error.code, -32001)
})

test('GET /mcp/sse/:sessionId from a foreign Origin or to a rebound Host → 403', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const origin = await app.inject({ method: 'GET', url: `/mcp/sse/${id}`, headers: { accept: 'text/event-stream', origin: 'https://evil.example' } })
  t.equal(origin.statusCode, 403)
  const host = await app.inject({ method: 'GET', url: `/mcp/sse/${id}`, headers: { accept: 'text/event-stream', host: 'evil.example' } })
  t.equal(host.statusCode, 403)
  t.equal(app.mcpSessions.list()[0].streams, 0)
})

test('GET /mcp/sse/:sessionId with an unsupported MCP-Protocol-Version → 400', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await app.inject({ method: 'GET', url: `/mcp/sse/${id}`, headers: { accept: 'text/event-stream', 'mcp-protocol-version': '1999-01-01' } })
  t.equal(res.statusCode, 400)
  t.match(res.json().error.message, /Unsupported protocol version/)
})

test('GET /mcp/sse/:sessionId without text/event-stream in Accept → 406', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await app.inject({ method: 'GET', url: `/mcp/sse/${id}`, headers: { accept: 'application/json' } })
  t.equal(res.statusCode, 406)
  t.equal(app.mcpSessions.list()[0].streams, 0)
})

test('GET /mcp/sse/:sessionId with a different Mcp-Session-Id header → 400, nothing opened', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const a = await initSession(app)
  const b = await initSession(app)
  const res = await app.inject({ method: 'GET', url: `/mcp/sse/${a}`, headers: { accept: 'text/event-stream', ...sessionHeaders(b) } })
  t.equal(res.statusCode, 400)
  t.match(res.json().error.message, /differ/)
  t.same(app.mcpSessions.list().map((s) => s.streams), [0, 0])
})

test('GET /mcp/sse/:sessionId with the same id in the header is accepted', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await getStream(app, id, sessionHeaders(id))
  t.equal(res.statusCode, 200)
  res.stream().destroy()
})

test('HEAD /mcp/sse/:sessionId does not replace the session\'s stream', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await app.inject({ method: 'HEAD', url: `/mcp/sse/${id}`, headers: { accept: 'text/event-stream' } })
  t.equal(res.statusCode, 405)
  t.equal(res.headers.allow, 'GET')
  t.equal(app.mcpSessions.list()[0].streams, 0)
})

test('DELETE /mcp/sessions/:sessionId ends the session, as DELETE /mcp does', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await deleteSession(app, id)
  t.equal(res.statusCode, 200)
  t.equal(app.mcpSessions.size, 0)
  const again = await deleteSession(app, id)
  t.equal(again.statusCode, 404)
})

test('DELETE /mcp/sessions/:sessionId ends the session\'s open streams', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const stream = await getStream(app, id)
  const reader = new SseReader(stream.stream())
  t.equal((await deleteSession(app, id)).statusCode, 200)
  t.equal(await reader.waitEnd(), true)
})

test('DELETE /mcp/sessions/:sessionId is refused like DELETE /mcp: Origin, version, header mismatch', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const other = await initSession(app)
  t.equal((await deleteSession(app, id, { origin: 'https://evil.example' })).statusCode, 403)
  t.equal((await deleteSession(app, id, { 'mcp-protocol-version': '1999-01-01' })).statusCode, 400)
  t.equal((await deleteSession(app, id, sessionHeaders(other))).statusCode, 400)
  t.equal(app.mcpSessions.size, 2, 'no session was ended')
})

test('the deprecated paths follow the path option', async (t) => {
  const app = await buildApp({ path: '/rpc' })
  t.teardown(() => app.close())
  const init = await app.inject({
    method: 'POST',
    url: '/rpc',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    payload: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } })
  })
  const sessionId = init.headers['mcp-session-id'] as string
  const stream = await getStream(app, sessionId, {}, '/rpc')
  t.equal(stream.statusCode, 200)
  stream.stream().destroy()
  t.equal((await deleteSession(app, sessionId, {}, '/rpc')).statusCode, 200)
  t.equal((await app.inject({ method: 'DELETE', url: `/mcp/sessions/${sessionId}` })).statusCode, 404)
})

test('deprecatedRoutes: false leaves the original paths unregistered', async (t) => {
  const app = await buildApp({ deprecatedRoutes: false })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const get = await app.inject({ method: 'GET', url: `/mcp/sse/${id}`, headers: { accept: 'text/event-stream' } })
  t.equal(get.statusCode, 404)
  t.equal(app.mcpSessions.list()[0].streams, 0)
  t.equal((await deleteSession(app, id)).statusCode, 404)
  t.equal(app.mcpSessions.size, 1)
})

test('GET /mcp/sse/:sessionId with Last-Event-ID resumes the stream, as GET /mcp does', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const first = await getStream(app, id)
  const reader = new SseReader(first.stream())
  const priming = await reader.next()
  t.equal(priming.data, '', 'a 2025-11-25 stream starts with a priming event')
  app.mcpSessions.notify(id, { method: 'notifications/tools/list_changed' })
  const sent = await reader.next()
  const resumed = await getStream(app, id, { 'last-event-id': priming.id! })
  t.equal(resumed.statusCode, 200)
  const replay = new SseReader(resumed.stream())
  const again = await replay.next()
  t.equal(again.id, sent.id, 'the event after Last-Event-ID is replayed with its id')
  t.same(JSON.parse(again.data), { jsonrpc: '2.0', method: 'notifications/tools/list_changed' })
  first.stream().destroy()
  resumed.stream().destroy()
})

test('GET /mcp/sse/:sessionId with an unknown Last-Event-ID → 400', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await app.inject({ method: 'GET', url: `/mcp/sse/${id}`, headers: { accept: 'text/event-stream', 'last-event-id': 'nope' } })
  t.equal(res.statusCode, 400)
})

test('GET /mcp/sse/:sessionId beyond maxStreamsPerSession → 503, as GET /mcp', async (t) => {
  const app = await buildApp({ maxStreamsPerSession: 1 })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const open = await getStream(app, id)
  const res = await app.inject({ method: 'GET', url: `/mcp/sse/${id}`, headers: { accept: 'text/event-stream' } })
  t.equal(res.statusCode, 503)
  open.stream().destroy()
})
