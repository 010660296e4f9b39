import Fastify from 'fastify'
import { test } from 'tap'
import mcpTransport from '../../lib/index.js'
import { resolveOptions, DEFAULT_BODY_LIMIT, DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_PATH } from '../../lib/options.js'
import { testServer } from '../helpers.js'

test('defaults are the documented ones', async (t) => {
  const options = resolveOptions({ server: testServer() })
  t.equal(options.path, DEFAULT_PATH)
  t.equal(options.path, '/mcp')
  t.equal(options.bodyLimit, DEFAULT_BODY_LIMIT)
  t.equal(options.bodyLimit, 4 * 1024 * 1024)
  t.equal(options.heartbeatInterval, DEFAULT_HEARTBEAT_INTERVAL)
  t.equal(options.heartbeatInterval, 15000)
  t.equal(options.sessionTimeout, 30 * 60 * 1000)
  t.equal(options.maxSessions, 10000)
  t.equal(options.responseMode, 'auto')
  t.equal(options.requestTimeout, 60000)
  t.equal(options.maxStreamQueueBytes, 1024 * 1024)
  t.equal(options.allowedOrigins, undefined)
  t.equal(options.allowedHosts, undefined)
  t.equal(options.cors, false)
  t.same(options.health, ['/health', '/mcp/health'])
})

test('each bad option is refused at registration with a message naming it', async (t) => {
  const server = testServer()
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{}, /option "server" is required/],
    [{ server: null }, /option "server" is required/],
    [{ server: {} }, /option "server" is required/],
    [{ server, path: 'mcp' }, /option "path" is "mcp"; expected a path starting with '\/'/],
    [{ server, bodyLimit: 0 }, /option "bodyLimit" is 0; expected an integer >= 1/],
    [{ server, bodyLimit: '4mb' }, /option "bodyLimit" is "4mb"/],
    [{ server, sessionTimeout: -1 }, /option "sessionTimeout"/],
    [{ server, maxSessions: 1.5 }, /option "maxSessions"/],
    [{ server, heartbeatInterval: -5 }, /option "heartbeatInterval"/],
    [{ server, responseMode: 'stream' }, /option "responseMode" is "stream"; expected 'auto', 'json' or 'sse'/],
    [{ server, requestTimeout: 0 }, /option "requestTimeout"/],
    [{ server, maxStreamQueueBytes: 0 }, /option "maxStreamQueueBytes"/],
    [{ server, allowedOrigins: 'http://x' }, /option "allowedOrigins" is "http:\/\/x"; expected an array of non-empty strings/],
    [{ server, allowedOrigins: [''] }, /option "allowedOrigins"/],
    [{ server, allowedHosts: [1] }, /option "allowedHosts"/],
    [{ server, cors: 'yes' }, /option "cors" is "yes"; expected a boolean or @fastify\/cors options/],
    [{ server, health: '/health' }, /option "health"/],
    [{ server, health: ['health'] }, /option "health\[0\]"/]
  ]
  for (const [options, message] of cases) {
    const app = Fastify()
    await t.rejects(app.register(mcpTransport, options as any).ready(), message, JSON.stringify(Object.keys(options)))
    await app.close()
  }
})

test('health: false removes the health routes; a list replaces them', async (t) => {
  const none = Fastify()
  await none.register(mcpTransport, { server: testServer(), health: false })
  t.teardown(() => none.close())
  t.equal((await none.inject('/health')).statusCode, 404)
  const custom = Fastify()
  await custom.register(mcpTransport, { server: testServer(), health: ['/livez'] })
  t.teardown(() => custom.close())
  t.equal((await custom.inject('/livez')).statusCode, 200)
  t.equal((await custom.inject('/health')).statusCode, 404)
})

test('the plugin declares its name for dependency checks', async (t) => {
  const app = Fastify()
  await app.register(mcpTransport, { server: testServer() })
  app.register(async function child () {}, {})
  t.teardown(() => app.close())
  await app.ready()
  t.ok(app.hasPlugin('fastify-mcp-transport'))
  t.ok(app.hasDecorator('mcpSessions'))
})

test('cors: true answers preflights with the MCP headers allowed and exposed', async (t) => {
  const app = Fastify()
  await app.register(mcpTransport, { server: testServer(), cors: true })
  t.teardown(() => app.close())
  const res = await app.inject({
    method: 'OPTIONS',
    url: '/mcp',
    headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'mcp-session-id' }
  })
  t.equal(res.statusCode, 204)
  t.match(res.headers['access-control-allow-headers'], /mcp-session-id/)
  t.match(res.headers['access-control-allow-headers'], /last-event-id/)
  t.match(res.headers['access-control-allow-headers'], /mcp-method, mcp-name/, 'modern-era headers too')
  const post = await app.inject({ method: 'POST', url: '/mcp', headers: { origin: 'http://localhost:5173', 'content-type': 'application/json' }, payload: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } } })
  t.equal(post.headers['access-control-allow-origin'], 'http://localhost:5173')
  t.match(post.headers['access-control-expose-headers'], /mcp-session-id/)
})

test('cors options are passed through to @fastify/cors', async (t) => {
  const app = Fastify()
  await app.register(mcpTransport, { server: testServer(), cors: { maxAge: 600 } })
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'OPTIONS', url: '/mcp', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } })
  t.equal(res.headers['access-control-max-age'], '600')
})

test('the MCP routes do not change how the rest of the app parses bodies or renders errors', async (t) => {
  const app = Fastify()
  await app.register(mcpTransport, { server: testServer() })
  app.post('/other', async (request) => ({ got: request.body }))
  t.teardown(() => app.close())
  const text = await app.inject({ method: 'POST', url: '/other', headers: { 'content-type': 'text/plain' }, payload: 'hello' })
  t.same(text.json(), { got: 'hello' })
  const bad = await app.inject({ method: 'POST', url: '/other', headers: { 'content-type': 'application/json' }, payload: '{' })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().jsonrpc, undefined, "the app's own error format")
})
