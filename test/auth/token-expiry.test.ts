import { test } from 'tap'
import type { AuthInfo } from '../../lib/index.js'
import { parseSse, post, sessionHeaders, sseMessages } from '../helpers.js'
import { authApp, authOptions, authServer, authSession, bearer, verifyTestToken } from './auth-helpers.js'

/** The verifier of the tests, plus `short`: alice's token, valid for 300 ms from now. */
function verifyWithShortToken (token: string): AuthInfo {
  if (token === 'short') return { token, clientId: 'client-a', scopes: ['mcp:use'], subject: 'alice', expiresAt: Date.now() / 1000 + 0.3 }
  return verifyTestToken(token)
}

const getStream = (id: string, token: string, extra: Record<string, string> = {}) => ({
  method: 'GET' as const,
  url: '/mcp',
  headers: { accept: 'text/event-stream', ...sessionHeaders(id), ...bearer(token), ...extra }
})

test('a GET stream ends when the token it was opened with expires; one with a lasting token stays', async (t) => {
  const app = await authApp(t, { auth: authOptions({ verifyToken: verifyWithShortToken }) })
  const shortLived = await authSession(app, 'short')
  const lasting = await authSession(app, 'service')
  const started = Date.now()
  const lastingStream = app.inject(getStream(lasting, 'service'))
  const res = await app.inject(getStream(shortLived, 'short'))
  const elapsed = Date.now() - started
  t.equal(res.statusCode, 200)
  t.ok(elapsed >= 250 && elapsed < 2000, `ended at the token's expiry (${elapsed} ms)`)
  t.equal(app.mcpSessions.has(shortLived), true, 'the session lives on: only the connection ended')
  t.equal(app.mcpSessions.list().find((s) => s.id === lasting)!.streams, 1, 'the other stream is still open')
  app.mcpSessions.close(lasting)
  await lastingStream
})

test('a POST stream cut at the token\'s expiry is resumed with a fresh token, nothing lost', async (t) => {
  const server = authServer().tool('slow', {}, async (_args, ctx) => {
    ctx.log('info', 'started') // opens the POST's stream now, with the short token's deadline
    await new Promise((resolve) => setTimeout(resolve, 800))
    return 'finished'
  })
  const app = await authApp(t, { auth: authOptions({ verifyToken: verifyWithShortToken }) }, server)
  const id = await authSession(app, 'good')
  const call = { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'slow', arguments: {} } }
  const cut = await post(app, call, { ...sessionHeaders(id), ...bearer('short') })
  const seen = parseSse(cut.body)
  t.same(sseMessages(cut.body).map((m) => m.params?.data), ['started'], 'the connection ended before the answer')
  const resumed = await app.inject(getStream(id, 'good', { 'last-event-id': seen.at(-1)!.id! }))
  t.equal(resumed.statusCode, 200)
  t.same(sseMessages(resumed.body).map((m) => m.result?.content[0].text), ['finished'])
})
