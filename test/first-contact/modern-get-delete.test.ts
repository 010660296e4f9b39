// Issue 13 #3: a 2026-07-28 client's GET or DELETE (MCP-Protocol-Version: 2026-07-28, no
// session) was answered 400 "missing session" as if it were legacy. The era is decided for
// every method: such a request gets 405 with Allow: POST (mcp-transport-spec item 86).
import { test } from 'tap'
import { buildApp, initSession, sessionHeaders } from '../helpers.js'

const MODERN = '2026-07-28'

for (const method of ['GET', 'DELETE'] as const) {
  test(`${method} with MCP-Protocol-Version ${MODERN} and no session is 405 Allow: POST`, async (t) => {
    const app = await buildApp()
    t.teardown(() => app.close())
    const res = await app.inject({ method, url: '/mcp', headers: { accept: 'text/event-stream', 'mcp-protocol-version': MODERN } })
    t.equal(res.statusCode, 405)
    t.equal(res.headers.allow, 'POST')
    t.match(res.json(), { jsonrpc: '2.0', error: { code: -32000, message: /Method Not Allowed: use POST/ } })
    t.notOk(res.headers['mcp-session-id'], 'no session is minted or echoed')
  })

  test(`${method} without a version header keeps the legacy 400 for a missing session`, async (t) => {
    const app = await buildApp()
    t.teardown(() => app.close())
    const res = await app.inject({ method, url: '/mcp', headers: { accept: 'text/event-stream' } })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { error: { message: /Mcp-Session-Id header is required/ } })
  })

  test(`${method} with a legacy version header and no session keeps the legacy 400`, async (t) => {
    const app = await buildApp()
    t.teardown(() => app.close())
    const res = await app.inject({ method, url: '/mcp', headers: { accept: 'text/event-stream', 'mcp-protocol-version': '2025-11-25' } })
    t.equal(res.statusCode, 400)
    t.match(res.json(), { error: { message: /Mcp-Session-Id header is required/ } })
  })

  test(`${method} with a session and a modern version header stays legacy (the session decides)`, async (t) => {
    const app = await buildApp()
    t.teardown(() => app.close())
    const id = await initSession(app)
    const res = await app.inject({ method, url: '/mcp', headers: { ...sessionHeaders(id), accept: 'text/event-stream', 'mcp-protocol-version': MODERN } })
    t.equal(res.statusCode, 400, 'the legacy lookup refuses a version the session does not speak')
    t.match(res.json(), { error: { message: /Unsupported protocol version: 2026-07-28/ } })
  })
}

test('a legacy DELETE with its session still ends it', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await app.inject({ method: 'DELETE', url: '/mcp', headers: sessionHeaders(id) })
  t.equal(res.statusCode, 200)
  t.equal(app.mcpSessions.size, 0)
})
