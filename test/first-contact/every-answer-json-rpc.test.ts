// Issue 13 #4: OPTIONS /mcp (CORS off) with a JSON content type and no body answered
// Fastify's FST_ERR_CTP_EMPTY_JSON_BODY, and POST /mcp/ Fastify's 404: not JSON-RPC. Every
// answer on the plugin's paths is a JSON-RPC error body or empty; /mcp/ is served as /mcp.
import Fastify from 'fastify'
import { test } from 'tap'
import mcpTransport from '../../lib/index.js'
import { ACCEPT_BOTH, buildApp, initializeBody, post, testServer } from '../helpers.js'

function isJsonRpcError (text: string): boolean {
  try {
    const body = JSON.parse(text)
    return body.jsonrpc === '2.0' && Number.isInteger(body.error?.code) && typeof body.error?.message === 'string'
  } catch {
    return false
  }
}

test('OPTIONS /mcp with CORS off and an empty JSON body is a JSON-RPC 405 (was FST_ERR_CTP_EMPTY_JSON_BODY)', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'OPTIONS', url: '/mcp', headers: { 'content-type': 'application/json' } })
  t.equal(res.statusCode, 405)
  t.equal(res.headers.allow, 'GET, POST, DELETE')
  t.ok(isJsonRpcError(res.body), res.body)
})

test('POST /mcp/ is served as POST /mcp (was Fastify\'s 404)', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await post(app, initializeBody(), {}, { url: '/mcp/' })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { result: { serverInfo: { name: 'test-server' } } })
  const id = res.headers['mcp-session-id'] as string
  const get = await app.inject({ method: 'DELETE', url: '/mcp/', headers: { 'mcp-session-id': id } })
  t.equal(get.statusCode, 200, 'DELETE /mcp/ ends the session as DELETE /mcp does')
  t.equal(app.mcpSessions.size, 0)
})

test('every method Fastify routes gets JSON-RPC or nothing on every plugin path', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const paths = ['/mcp', '/mcp/', '/sse', '/sse/', '/messages', '/messages/', '/mcp/sse/x', '/mcp/sse/x/', '/mcp/sessions/x', '/mcp/sessions/x/']
  for (const url of paths) {
    for (const method of app.supportedMethods) {
      for (const headers of [{}, { 'content-type': 'application/json' }, { 'content-type': 'text/plain' }]) {
        const res = await app.inject({ method: method as 'GET', url, headers: { ...headers, accept: ACCEPT_BOTH }, payloadAsStream: true })
        const stream = res.stream()
        // An open SSE stream (GET /sse opens a session) is a success that never ends.
        if (res.statusCode < 400 && String(res.headers['content-type']).startsWith('text/event-stream')) {
          stream.destroy()
          continue
        }
        let body = ''
        for await (const chunk of stream) body += String(chunk)
        const ok = res.statusCode < 500 && (body === '' || isJsonRpcError(body))
        if (!ok) t.fail(`${method} ${url} ${JSON.stringify(headers)}: ${res.statusCode} ${body}`)
      }
    }
  }
  t.pass('checked every path, method and content type')
})

test('the other methods get 405 with the Allow of their path', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const cases: Array<[string, string, string]> = [
    ['TRACE', '/mcp', 'GET, POST, DELETE'],
    ['OPTIONS', '/sse', 'GET'],
    ['GET', '/messages', 'POST'],
    ['POST', '/mcp/sse/x', 'GET'],
    ['GET', '/mcp/sessions/x/', 'DELETE']
  ]
  for (const [method, url, allow] of cases) {
    const res = await app.inject({ method: method as 'GET', url })
    t.equal(res.statusCode, 405, `${method} ${url}`)
    t.equal(res.headers.allow, allow, `${method} ${url}`)
  }
})

test('a QUERY without Content-Type is Fastify\'s 400, rendered as JSON-RPC', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'QUERY' as 'GET', url: '/mcp' })
  t.equal(res.statusCode, 400)
  t.ok(isJsonRpcError(res.body), res.body)
})

test('with CORS on, an incomplete preflight gets an empty answer, not text/plain', async (t) => {
  const app = await buildApp({ cors: true })
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'OPTIONS', url: '/mcp', headers: { 'content-type': 'application/json' } })
  t.ok(res.statusCode < 300, String(res.statusCode))
  t.equal(res.body, '')
  const preflight = await app.inject({ method: 'OPTIONS', url: '/mcp/', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], 'http://localhost:5173')
})

test('an app whose router ignores trailing slashes gets no twin routes (no duplicate)', async (t) => {
  for (const app of [Fastify({ routerOptions: { ignoreTrailingSlash: true } })]) {
    t.teardown(() => app.close())
    await app.register(mcpTransport, { server: testServer() })
    await app.ready()
    const res = await post(app, initializeBody(), {}, { url: '/mcp/' })
    t.equal(res.statusCode, 200, 'the router serves /mcp/ itself')
  }
})

test('with a prefix, the twin is under the prefix', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(mcpTransport, { server: testServer(), prefix: '/api' })
  const res = await post(app, initializeBody(), {}, { url: '/api/mcp/' })
  t.equal(res.statusCode, 200)
})
