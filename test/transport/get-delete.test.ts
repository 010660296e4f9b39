import { once } from 'node:events'
import type { Readable } from 'node:stream'
import { test } from 'tap'
import { buildApp, initSession, post, sessionHeaders, parseSse } from '../helpers.js'

async function openGet (app: Awaited<ReturnType<typeof buildApp>>, id: string, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', ...sessionHeaders(id), ...headers }, payloadAsStream: true })
}

async function readUntil (stream: Readable, predicate: (text: string) => boolean): Promise<string> {
  let text = ''
  for await (const chunk of stream) {
    text += chunk.toString()
    if (predicate(text)) break
  }
  return text
}

test('GET opens the standalone SSE stream with SSE headers', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await openGet(app, id)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/event-stream')
  t.equal(res.headers['cache-control'], 'no-cache, no-transform')
  t.equal(res.headers['x-accel-buffering'], 'no')
  t.equal(app.mcpSessions.list()[0].streams, 1)
  t.equal(app.mcpSessions.notify(id, { method: 'notifications/tools/list_changed' }), true)
  const text = await readUntil(res.stream(), (s) => s.includes('list_changed'))
  const [priming, event] = parseSse(text)
  t.equal(priming.data, '', 'a priming event comes first (2025-11-25 clients)')
  t.ok(priming.id)
  t.same(JSON.parse(event.data), { jsonrpc: '2.0', method: 'notifications/tools/list_changed' })
  t.equal(event.event, 'message')
  res.stream().destroy()
})

test('GET without text/event-stream in Accept → 406', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'application/json', ...sessionHeaders(id) } })
  t.equal(res.statusCode, 406)
})

test('GET without a session → 400, with an unknown one → 404', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const missing = await app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream' } })
  t.equal(missing.statusCode, 400)
  const unknown = await app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', 'mcp-session-id': 'x' } })
  t.equal(unknown.statusCode, 404)
})

test('a second GET replaces the first stream instead of failing', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const first = await openGet(app, id)
  const firstEnded = once(first.stream().resume(), 'end')
  const second = await openGet(app, id)
  t.equal(second.statusCode, 200)
  await firstEnded
  t.equal(app.mcpSessions.list()[0].streams, 1)
  app.mcpSessions.broadcast({ method: 'notifications/resources/list_changed' })
  const text = await readUntil(second.stream(), (s) => s.includes('\n\n'))
  t.match(text, /resources\/list_changed/)
  second.stream().destroy()
})

test('broadcast reaches only sessions with a GET stream, once each', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const a = await initSession(app)
  await initSession(app)
  const res = await openGet(app, a)
  t.equal(app.mcpSessions.broadcast({ method: 'notifications/prompts/list_changed' }), 1)
  t.equal(app.mcpSessions.notify('unknown', { method: 'x' }), false)
  res.stream().destroy()
})

async function listen (app: Awaited<ReturnType<typeof buildApp>>): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address() as import('node:net').AddressInfo
  return `http://127.0.0.1:${address.port}/mcp`
}

test('a client closing its GET stream frees it, and the session stays', async (t) => {
  const app = await buildApp({ eventStore: false })
  t.teardown(() => app.close())
  const url = await listen(app)
  const id = await initSession(app)
  const { request } = await import('node:http')
  const req = request(url, { headers: { accept: 'text/event-stream', ...sessionHeaders(id) } })
  const [res] = await once(req.end(), 'response') as [import('node:http').IncomingMessage]
  t.equal(res.statusCode, 200)
  t.equal(app.mcpSessions.list()[0].streams, 1)
  req.destroy()
  while (app.mcpSessions.list()[0].streams !== 0) await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal(app.mcpSessions.notify(id, { method: 'x' }), false, 'nothing to deliver to')
  t.equal(app.mcpSessions.size, 1)
})

test('heartbeat comments are written on idle streams', async (t) => {
  const app = await buildApp({ heartbeatInterval: 20, eventStore: false })
  t.teardown(() => app.close())
  const url = await listen(app)
  const id = await initSession(app)
  const controller = new AbortController()
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...sessionHeaders(id) }, signal: controller.signal })
  const reader = res.body!.getReader()
  const { value } = await reader.read()
  t.equal(Buffer.from(value!).toString(), ':\n\n')
  controller.abort()
})

test('DELETE ends the session: 200, then 404 for every use of the id', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const del = await app.inject({ method: 'DELETE', url: '/mcp', headers: sessionHeaders(id) })
  t.equal(del.statusCode, 200)
  t.equal(app.mcpSessions.size, 0)
  t.equal((await post(app, { jsonrpc: '2.0', id: 2, method: 'ping' }, sessionHeaders(id))).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: '/mcp', headers: sessionHeaders(id) })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', ...sessionHeaders(id) } })).statusCode, 404)
})

test('DELETE closes the GET stream and aborts in-flight work', async (t) => {
  const app = await buildApp({ responseMode: 'sse' })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const get = await openGet(app, id)
  const getEnded = once(get.stream().resume(), 'end')
  const call = post(app, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'wait', arguments: { ms: 10_000 } } }, sessionHeaders(id))
  while (app.mcpSessions.list()[0].inflight === 0) await new Promise((resolve) => setImmediate(resolve))
  const del = await app.inject({ method: 'DELETE', url: '/mcp', headers: sessionHeaders(id) })
  t.equal(del.statusCode, 200)
  await getEnded
  const res = await call
  t.equal(res.statusCode, 200)
  t.same(parseSse(res.body), [], 'the aborted request ends its stream without a response')
})

test('DELETE without a session id → 400', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  t.equal((await app.inject({ method: 'DELETE', url: '/mcp' })).statusCode, 400)
})
