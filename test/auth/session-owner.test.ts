// Sessions bound to the identity that created them (SBP-1125 §Session Hijacking ›
// Mitigation, item 49): another identity's token finds no session (404, exactly as an
// unknown id), the same identity's new token works; every request is still authenticated.
import { test } from 'tap'
import { initializeBody, post, sessionHeaders } from '../helpers.js'
import { initializeMessage, openLegacy, postMessage } from '../legacy/sse-reader.js'
import { authApp, authSession, bearer, toolText, whoami } from './auth-helpers.js'

test('a session used with another user\'s token answers 404, the same as an unknown session', async (t) => {
  const app = await authApp(t)
  const session = await authSession(app, 'good')
  const stolen = await whoami(app, session, 'bob')
  const unknown = await whoami(app, 'no-such-session', 'bob')
  t.equal(stolen.statusCode, 404)
  t.equal(stolen.body, unknown.body, 'indistinguishable from an unknown id')
  t.equal(stolen.json().error.code, -32001)
  t.equal(app.mcpSessions.size, 1, 'the session itself is untouched')
})

test('the same user with a new token (another client) keeps using the session', async (t) => {
  const app = await authApp(t)
  const session = await authSession(app, 'good')
  const res = await whoami(app, session, 'again')
  t.equal(res.statusCode, 200)
  t.equal(JSON.parse(toolText(res)).subject, 'alice')
})

test('a token without a subject binds the session to its client', async (t) => {
  const app = await authApp(t)
  const session = await authSession(app, 'service')
  t.equal((await whoami(app, session, 'service')).statusCode, 200)
  t.equal((await whoami(app, session, 'good')).statusCode, 404)
})

test('notifications, the GET stream and DELETE of another user\'s session answer 404', async (t) => {
  const app = await authApp(t)
  const session = await authSession(app, 'good')
  const notification = await post(app, { jsonrpc: '2.0', method: 'notifications/initialized' }, { ...sessionHeaders(session), ...bearer('bob') })
  t.equal(notification.statusCode, 404)
  const stream = await app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', ...sessionHeaders(session), ...bearer('bob') } })
  t.equal(stream.statusCode, 404)
  const remove = await app.inject({ method: 'DELETE', url: '/mcp', headers: { ...sessionHeaders(session), ...bearer('bob') } })
  t.equal(remove.statusCode, 404)
  t.equal(app.mcpSessions.size, 1, 'bob could not end it')
  const own = await app.inject({ method: 'DELETE', url: '/mcp', headers: { ...sessionHeaders(session), ...bearer('again') } })
  t.equal(own.statusCode, 200)
  t.equal(app.mcpSessions.size, 0)
})

test('the deprecated session paths check the owner too', async (t) => {
  const app = await authApp(t)
  const session = await authSession(app, 'good')
  const stream = await app.inject({ method: 'GET', url: `/mcp/sse/${session}`, headers: { accept: 'text/event-stream', ...bearer('bob') } })
  t.equal(stream.statusCode, 404)
  const remove = await app.inject({ method: 'DELETE', url: `/mcp/sessions/${session}`, headers: bearer('bob') })
  t.equal(remove.statusCode, 404)
  t.equal(app.mcpSessions.size, 1)
})

test('an HTTP+SSE session takes POSTs only from the user who opened its stream', async (t) => {
  const app = await authApp(t)
  const sse = await openLegacy(app, '/sse', bearer('good'))
  t.teardown(() => sse.res.stream().destroy())
  const stolen = await postMessage(app, sse.sessionId, initializeMessage(0), bearer('bob'))
  t.equal(stolen.statusCode, 404)
  const own = await postMessage(app, sse.sessionId, initializeMessage(0), bearer('again'))
  t.equal(own.statusCode, 202)
  t.ok((await sse.reader.message()).result, 'initialize answered on the stream')
})

test('initialize with another user\'s session id starts a new session instead of revealing that one', async (t) => {
  const app = await authApp(t)
  const session = await authSession(app, 'good')
  const other = await post(app, initializeBody(), { 'mcp-session-id': session, ...bearer('bob') })
  t.equal(other.statusCode, 200)
  t.not(other.headers['mcp-session-id'], session)
  const own = await post(app, initializeBody(), { 'mcp-session-id': session, ...bearer('good') })
  t.equal(own.statusCode, 400, 'the owner is told it is already initialized')
  t.equal(own.json().error.message, 'Invalid Request: this session is already initialized; omit Mcp-Session-Id to start a new one')
})
