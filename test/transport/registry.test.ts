import { test } from 'tap'
import { buildApp, initializeBody, initSession, post, sessionHeaders } from '../helpers.js'

test('idle sessions expire after sessionTimeout and then answer 404', async (t) => {
  const app = await buildApp({ sessionTimeout: 300 })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const keepAlive = setInterval(() => {}, 50)
  t.teardown(() => clearInterval(keepAlive))
  const deadline = Date.now() + 3000
  while (app.mcpSessions.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(app.mcpSessions.size, 0)
  t.equal((await post(app, { jsonrpc: '2.0', id: 2, method: 'ping' }, sessionHeaders(id))).statusCode, 404)
})

test('a session with work in flight does not expire', async (t) => {
  const app = await buildApp({ sessionTimeout: 100 })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const call = post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'wait', arguments: { ms: 600 } } }, sessionHeaders(id))
  await new Promise((resolve) => setTimeout(resolve, 400))
  t.equal(app.mcpSessions.size, 1, 'still there while busy')
  const res = await call
  t.equal(res.json().result.content[0].text, 'waited')
})

test('sessionTimeout 0 disables expiry', async (t) => {
  const app = await buildApp({ sessionTimeout: 0 })
  t.teardown(() => app.close())
  await initSession(app)
  const keepAlive = setInterval(() => {}, 50)
  t.teardown(() => clearInterval(keepAlive))
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(app.mcpSessions.size, 1)
})

test('maxSessions: initialize beyond the cap gets 503, and room frees up on close', async (t) => {
  const app = await buildApp({ maxSessions: 2 })
  t.teardown(() => app.close())
  const first = await initSession(app)
  await initSession(app)
  const third = await post(app, initializeBody())
  t.equal(third.statusCode, 503)
  t.match(third.json().error.message, /maximum of 2 sessions/)
  t.equal(app.mcpSessions.close(first), true)
  t.equal(app.mcpSessions.close(first), false, 'closing twice is a no-op')
  t.equal((await post(app, initializeBody())).statusCode, 200)
})

test('list() summarises each live session', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app, '2025-06-18')
  const [summary] = app.mcpSessions.list()
  t.equal(summary.id, id)
  t.equal(summary.protocolVersion, '2025-06-18')
  t.equal(summary.streams, 0)
  t.equal(summary.inflight, 0)
  t.ok(summary.createdAt <= summary.lastActivity)
  t.equal(app.mcpSessions.has(id), true)
  t.equal(app.mcpSessions.totalCreated, 1)
})

test('a server learns of every session that ends', async (t) => {
  const closed: string[] = []
  const { testServer } = await import('../helpers.js')
  const server = testServer() as any
  server.sessionClosed = (session: { id: string }) => closed.push(session.id)
  const app = await buildApp({}, server)
  const a = await initSession(app)
  const b = await initSession(app)
  await app.inject({ method: 'DELETE', url: '/mcp', headers: sessionHeaders(a) })
  await app.close()
  t.same(closed, [a, b])
})

test('session state is per session and released on close', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const session = app.mcpSessions.get(id)!
  session.state.set('k', 1)
  t.equal(session.state.get('k'), 1)
  app.mcpSessions.close(id)
  t.equal(session.state.size, 0, 'a fresh map after release')
})

test('health reports counts and uptime', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  await initSession(app)
  await app.inject({ method: 'DELETE', url: '/mcp', headers: sessionHeaders(id) })
  for (const url of ['/health', '/mcp/health']) {
    const body = (await app.inject(url)).json()
    t.same(Object.keys(body).sort(), ['active_sessions', 'open_streams', 'state', 'status', 'total_sessions', 'transport', 'uptime'])
    t.equal(body.status, 'ok')
    t.equal(body.transport, 'streamable-http')
    t.equal(body.active_sessions, 1)
    t.equal(body.total_sessions, 2)
    t.equal(body.open_streams, 0)
    t.type(body.uptime, 'number')
  }
})

test('close() ends open streams, aborts work and refuses new sessions', async (t) => {
  const app = await buildApp({ shutdownTimeout: 100 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `http://127.0.0.1:${(app.server.address() as import('node:net').AddressInfo).port}/mcp`
  const id = await initSession(app)
  const get = await fetch(url, { headers: { accept: 'text/event-stream', ...sessionHeaders(id) } })
  t.equal(get.status, 200)
  const call = fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...sessionHeaders(id) },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'wait', arguments: { ms: 30_000 } } })
  })
  while (app.mcpSessions.list()[0].inflight === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  const started = Date.now()
  await app.close()
  t.ok(Date.now() - started < 2000, `close() returned in ${Date.now() - started} ms`)
  t.equal(app.mcpSessions.size, 0)
  const rest = await get.text()
  t.match(rest, /retry: 1000\n\n$/, 'the GET stream ended with a hint to reconnect')
  const answered = await call
  t.equal(answered.status, 200)
  t.equal(await answered.text(), '', 'the aborted call ended without a response')
})

test('initialize during shutdown is refused with 503', async (t) => {
  const Fastify = (await import('fastify')).default
  const mcp = (await import('../../lib/index.js')).default
  const { testServer } = await import('../helpers.js')
  // Fastify itself answers 503 while closing unless told not to; our own check covers apps
  // that turned that off.
  const app = Fastify({ return503OnClosing: false })
  await app.register(mcp, { server: testServer() })
  let url = ''
  let status = 0
  let body: any
  // A real request while the app is closing (inject would wait for the app's own close).
  app.addHook('preClose', async () => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(initializeBody()) })
    status = res.status
    body = await res.json()
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(app.server.address() as import('node:net').AddressInfo).port}/mcp`
  await app.close()
  t.equal(status, 503)
  t.match(body.error.message, /shutting down/)
})
