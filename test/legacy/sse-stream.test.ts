import { once } from 'node:events'
import { get, type IncomingMessage } from 'node:http'
import Fastify from 'fastify'
import { test } from 'tap'
import mcpTransport from '../../lib/index.js'
import { buildApp, testServer } from '../helpers.js'
import { eventually, fetchLegacy, initializeMessage, listen, openLegacy, postMessage } from './sse-reader.js'

test('GET /sse starts with an endpoint event naming /messages and the new session', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  t.equal(sse.res.headers['content-type'], 'text/event-stream')
  t.equal(sse.res.headers['cache-control'], 'no-cache, no-transform')
  t.match(sse.endpoint, /^\/messages\?sessionId=[0-9a-f-]{36}$/)
  t.ok(sse.reader.raw.startsWith('event: endpoint\n'), 'nothing is sent before the endpoint event')
  t.equal(app.mcpSessions.size, 1)
  t.equal(app.mcpSessions.list()[0].id, sse.sessionId)
  t.equal(app.mcpSessions.list()[0].streams, 1)
  sse.res.stream().destroy()
})

test('the endpoint URI carries the prefix the plugin is registered under', async (t) => {
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  await app.register(mcpTransport, { server: testServer(), prefix: '/api' } as never)
  const sse = await openLegacy(app, '/api/sse')
  t.match(sse.endpoint, /^\/api\/messages\?sessionId=/)
  const res = await postMessage(app, sse.sessionId, initializeMessage(1), {}, '/api/messages')
  t.equal(res.statusCode, 202)
  t.equal((await sse.reader.message()).id, 1)
  sse.res.stream().destroy()
})

test('the endpoint URI carries the prefix of an enclosing context', async (t) => {
  const app = Fastify({ logger: false })
  t.teardown(() => app.close())
  await app.register(async (child) => {
    await child.register(mcpTransport, { server: testServer() })
  }, { prefix: '/v1' })
  const sse = await openLegacy(app, '/v1/sse')
  t.match(sse.endpoint, /^\/v1\/messages\?sessionId=/)
  sse.res.stream().destroy()
})

test('server messages are message events; a request round trip works over a real socket', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const base = await listen(app)
  const sse = await fetchLegacy(base)
  t.teardown(() => sse.close())
  const post = await fetch(new URL(sse.endpoint, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(initializeMessage(1)),
    signal: AbortSignal.timeout(5000)
  })
  t.equal(post.status, 202)
  const event = await sse.reader.next()
  t.equal(event.event, 'message')
  t.equal(JSON.parse(event.data).id, 1)
})

test('closing the GET stream ends the session and every count returns to zero', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await fetchLegacy(await listen(app))
  const before = (await app.inject({ method: 'GET', url: '/health' })).json()
  t.equal(before.active_sessions, 1)
  t.equal(before.open_streams, 1)
  sse.close()
  t.ok(await eventually(() => app.mcpSessions.size === 0), 'session closed')
  const after = (await app.inject({ method: 'GET', url: '/health' })).json()
  t.equal(after.active_sessions, 0)
  t.equal(after.open_streams, 0)
  t.equal(after.total_sessions, 1)
  const res = await postMessage(app, sse.sessionId, { jsonrpc: '2.0', method: 'notifications/initialized' })
  t.equal(res.statusCode, 404)
})

test('ending the session from the server ends the GET stream', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await fetchLegacy(await listen(app))
  t.equal(app.mcpSessions.close(sse.sessionId), true)
  t.equal(await sse.reader.waitEnd(), true)
  t.equal(app.mcpSessions.size, 0)
  const res = await postMessage(app, sse.sessionId, { jsonrpc: '2.0', method: 'notifications/initialized' })
  t.equal(res.statusCode, 404)
})

test('closing the app ends open legacy streams', async (t) => {
  const app = await buildApp()
  const sse = await fetchLegacy(await listen(app))
  await app.close()
  t.equal(await sse.reader.waitEnd(), true)
  t.equal(app.mcpSessions.size, 0)
})

test('heartbeat comments keep the legacy stream alive', async (t) => {
  const app = await buildApp({ heartbeatInterval: 20 })
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  const raw = await sse.reader.until((text) => /\n:\n\n/.test(text))
  t.match(raw, /^event: endpoint\n/)
  sse.res.stream().destroy()
})

test('notify and broadcast reach the legacy stream', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  t.equal(app.mcpSessions.notify(sse.sessionId, { method: 'notifications/message', params: { level: 'info', data: 'hi' } }), true)
  t.same(await sse.reader.message(), { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'hi' } })
  t.equal(app.mcpSessions.broadcast({ method: 'notifications/tools/list_changed' }), 1)
  t.same(await sse.reader.message(), { jsonrpc: '2.0', method: 'notifications/tools/list_changed' })
  sse.res.stream().destroy()
})

test('GET /sse without text/event-stream in Accept → 406', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: '/sse', headers: { accept: 'application/json' } })
  t.equal(res.statusCode, 406)
  t.equal(res.json().error.code, -32000)
  t.equal(app.mcpSessions.size, 0)
})

test('GET /sse from a foreign Origin or to a rebound Host → 403, no session', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const origin = await app.inject({ method: 'GET', url: '/sse', headers: { accept: 'text/event-stream', origin: 'https://evil.example' } })
  t.equal(origin.statusCode, 403)
  t.equal(origin.json().error.code, -32000)
  const host = await app.inject({ method: 'GET', url: '/sse', headers: { accept: 'text/event-stream', host: 'evil.example' } })
  t.equal(host.statusCode, 403)
  t.equal(app.mcpSessions.size, 0)
})

test('POST /sse → 405 with Allow: GET so Streamable HTTP clients fall back', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await app.inject({
    method: 'POST',
    url: '/sse',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    payload: JSON.stringify(initializeMessage(1, '2025-11-25'))
  })
  t.equal(res.statusCode, 405)
  t.equal(res.headers.allow, 'GET')
  t.equal(res.json().error.code, -32000)
  t.equal(app.mcpSessions.size, 0)
})

test('HEAD /sse → 405 instead of opening a session nobody can read', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'HEAD', url: '/sse' })
  t.equal(res.statusCode, 405)
  t.equal(res.headers.allow, 'GET')
  t.equal(app.mcpSessions.size, 0)
})

test('GET /sse beyond maxSessions → 503', async (t) => {
  const app = await buildApp({ maxSessions: 1 })
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  const res = await app.inject({ method: 'GET', url: '/sse', headers: { accept: 'text/event-stream' } })
  t.equal(res.statusCode, 503)
  t.equal(app.mcpSessions.size, 1)
  sse.res.stream().destroy()
})

test('GET /sse while the plugin shuts down → 503', async (t) => {
  // return503OnClosing: false lets a request reach the route during close (inject refuses
  // then, so it goes over the socket); that is when the transport refuses new sessions.
  const app = Fastify({ logger: false, return503OnClosing: false })
  await app.register(mcpTransport, { server: testServer() })
  let status = 0
  app.addHook('preClose', async () => {
    const request = get(`${base}/sse`, { agent: false, headers: { accept: 'text/event-stream' }, timeout: 2000 })
    const [response] = await once(request, 'response') as [IncomingMessage]
    status = response.statusCode ?? 0
    response.resume()
    await once(response, 'end')
  })
  const base = await listen(app)
  await app.close()
  t.equal(status, 503)
  t.equal(app.mcpSessions.size, 0)
})

test('legacySse: false leaves /sse and /messages unregistered', async (t) => {
  const app = await buildApp({ legacySse: false })
  t.teardown(() => app.close())
  const get = await app.inject({ method: 'GET', url: '/sse', headers: { accept: 'text/event-stream' } })
  t.equal(get.statusCode, 404)
  const post = await postMessage(app, 'x', initializeMessage())
  t.equal(post.statusCode, 404)
})
