// RFC 9728 Protected Resource Metadata (2025-11-25 authorization §Protected Resource Metadata
// Discovery Requirements, items 99-100): served at both well-known URLs, at the root of the
// app, public (no token, any origin).
import { test } from 'tap'
import Fastify from 'fastify'
import mcpTransport from '../../lib/index.js'
import { ISSUER, RESOURCE, authApp, authOptions, authServer } from './auth-helpers.js'

const ROOT = '/.well-known/oauth-protected-resource'
const SUFFIXED = '/.well-known/oauth-protected-resource/mcp'
const METADATA = { resource: RESOURCE, authorization_servers: [ISSUER], scopes_supported: ['mcp:use'] }

for (const url of [ROOT, SUFFIXED]) {
  test(`GET ${url} answers the metadata as given, readable from any origin, cacheable`, async (t) => {
    const app = await authApp(t)
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200)
    t.same(res.json(), METADATA)
    t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
    t.equal(res.headers['access-control-allow-origin'], '*')
    t.equal(res.headers['cache-control'], 'public, max-age=3600')
  })
}

test('the metadata needs no token and passes any Origin (neither guard applies)', async (t) => {
  const app = await authApp(t)
  const res = await app.inject({ method: 'GET', url: SUFFIXED, headers: { origin: 'https://evil.example' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['www-authenticate'], undefined)
})

test('the metadata is served at the root, not under the plugin prefix', async (t) => {
  const app = await authApp(t, { prefix: '/api' } as object)
  t.equal((await app.inject({ method: 'GET', url: SUFFIXED })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: `/api${SUFFIXED}` })).statusCode, 404)
  t.equal((await app.inject({ method: 'POST', url: '/api/mcp', payload: {} })).statusCode, 401, 'the MCP endpoint has the prefix')
})

test('a CORS preflight for the metadata allows GET with the headers asked for', async (t) => {
  const app = await authApp(t)
  const res = await app.inject({
    method: 'OPTIONS',
    url: SUFFIXED,
    headers: { origin: 'https://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'mcp-protocol-version' }
  })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-origin'], '*')
  t.equal(res.headers['access-control-allow-methods'], 'GET')
  t.equal(res.headers['access-control-allow-headers'], 'mcp-protocol-version')
  t.equal(res.headers.vary, 'access-control-request-headers')
})

test('a preflight that asks for no headers gets no allow-headers', async (t) => {
  const app = await authApp(t)
  const res = await app.inject({ method: 'OPTIONS', url: ROOT, headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['access-control-allow-headers'], undefined)
})

test('a resource at the root of its origin is served at the root well-known URL only', async (t) => {
  const resourceMetadata = { resource: 'https://mcp.example.com/', authorization_servers: [ISSUER] }
  const app = await authApp(t, { auth: authOptions({ resourceMetadata }) })
  const res = await app.inject({ method: 'GET', url: ROOT })
  t.same(res.json(), resourceMetadata)
  t.equal((await app.inject({ method: 'GET', url: `${ROOT}/` })).statusCode, 404)
})

test('two endpoints on one app: each its own path-suffixed document, the first keeps the root one', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const second = { resource: 'https://mcp.example.com/other/mcp', authorization_servers: [ISSUER] }
  // Each in its own context: one context holds one mcpSessions decorator.
  await app.register(async (one) => {
    await one.register(mcpTransport, { server: authServer(), auth: authOptions() })
  })
  await app.register(async (two) => {
    await two.register(mcpTransport, { server: authServer(), auth: authOptions({ resourceMetadata: second }), path: '/other/mcp', legacySse: false, health: false })
  })
  await app.ready()
  t.same((await app.inject({ method: 'GET', url: ROOT })).json().resource, RESOURCE)
  t.same((await app.inject({ method: 'GET', url: SUFFIXED })).json().resource, RESOURCE)
  t.same((await app.inject({ method: 'GET', url: `${ROOT}/other/mcp` })).json(), second)
})

test('a resource path with a colon is served literally, not as a route parameter', async (t) => {
  const resourceMetadata = { resource: 'https://mcp.example.com/v1:mcp', authorization_servers: [ISSUER] }
  const app = await authApp(t, { auth: authOptions({ resourceMetadata }), path: '/v1:mcp' })
  t.equal((await app.inject({ method: 'GET', url: `${ROOT}/v1:mcp` })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: `${ROOT}/v1` })).statusCode, 404)
})

test('registered inside a prefixed context, the plugin warns that the metadata is not at the root', async (t) => {
  const warnings: unknown[] = []
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(async (scoped) => {
    scoped.log.warn = ((obj: unknown) => { warnings.push(obj) }) as typeof scoped.log.warn
    await scoped.register(mcpTransport, { server: authServer(), auth: authOptions() })
  }, { prefix: '/tenant' })
  await app.ready()
  t.equal(warnings.length, 1)
  t.match(warnings[0], { prefix: '/tenant' })
  t.equal((await app.inject({ method: 'GET', url: `/tenant${SUFFIXED}` })).statusCode, 200)
})
