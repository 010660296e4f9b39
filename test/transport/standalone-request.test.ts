import { test } from 'tap'
import { createMcpServer } from '../../lib/index.js'
import { buildApp, initSession, testServer } from '../helpers.js'
import { HttpSession, listen } from '../server/http-client.js'

// 2025-11-25 transports §Listening for Messages from the Server: the server MAY send
// requests on the standalone GET stream, unrelated to any client request.

test('a request outside any client request goes out on the GET stream and the POSTed answer resolves it', async (t) => {
  const server = testServer()
  const app = await buildApp({}, server)
  const session = await HttpSession.open(await listen(t, app), { roots: { listChanged: true } })
  const stream = await session.listen()
  const asked = server.request(session.id, 'roots/list')
  const request = await stream.next()
  t.equal(request.method, 'roots/list')
  t.type(request.id, 'number')
  await session.post({ jsonrpc: '2.0', id: request.id, result: { roots: [{ uri: 'file:///repo' }] } })
  t.same(await asked, { roots: [{ uri: 'file:///repo' }] })
  t.equal(app.mcpSessions.list()[0].inflight, 0, 'no client request was involved')
  await stream.close()
})

test('an error answer from the client rejects it with the client\'s code', async (t) => {
  const server = testServer()
  const app = await buildApp({}, server)
  const session = await HttpSession.open(await listen(t, app), { roots: {} })
  const stream = await session.listen()
  const asked = t.rejects(server.request(session.id, 'roots/list'), { code: -32601, message: 'no roots here' })
  const request = await stream.next()
  await session.post({ jsonrpc: '2.0', id: request.id, error: { code: -32601, message: 'no roots here' } })
  await asked
  await stream.close()
})

test('without an open GET stream it fails at once: there is nowhere to send it', async (t) => {
  const server = testServer()
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const id = await initSession(app)
  await t.rejects(server.request(id, 'roots/list'), { code: -32000, message: /not connected/ })
  t.equal(app.mcpSessions.list()[0].id, id, 'the session is untouched')
})

test('an unknown session, or a server not registered yet, fails at once', async (t) => {
  const server = testServer()
  await t.rejects(server.request('nope', 'roots/list'), { code: -32000, message: /not registered/ })
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  await t.rejects(server.request('nope', 'roots/list'), { code: -32000, message: /session nope is unknown or has ended/ })
})

test('a client that does not answer in time gets notifications/cancelled on the same stream', async (t) => {
  const server = testServer()
  const app = await buildApp({}, server)
  const session = await HttpSession.open(await listen(t, app), { roots: {} })
  const stream = await session.listen()
  const asked = t.rejects(server.request(session.id, 'roots/list', undefined, { timeout: 50 }), { code: -32001, message: /timed out after 50 ms/ })
  const request = await stream.next()
  await asked
  const cancelled = await stream.next()
  t.same(cancelled, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: request.id, reason: 'Timed out after 50 ms' } })
  await stream.close()
})

test('a request waiting when its session ends is rejected, not left hanging', async (t) => {
  const server = createMcpServer({ name: 'x', version: '1' })
  const app = await buildApp({}, server)
  const session = await HttpSession.open(await listen(t, app), { roots: {} })
  const stream = await session.listen()
  const asked = t.rejects(server.request(session.id, 'roots/list'), { message: 'The session ended' })
  await stream.next()
  app.mcpSessions.close(session.id)
  await asked
  t.equal(await stream.ended(), true)
})
