// The `auth` option is checked at registration (2025-11-25 authorization §Authorization
// Server Location, §Canonical Server URI): a bad one fails register with FST_MCP_INVALID_OPTION.
import { test } from 'tap'
import Fastify from 'fastify'
import mcpTransport, { type AuthOptions } from '../../lib/index.js'
import { resolveAuthOptions } from '../../lib/auth/auth-options.js'
import { ISSUER, RESOURCE, authOptions, verifyTestToken } from './auth-helpers.js'
import { buildApp, initSession, testServer } from '../helpers.js'

async function registerError (auth: unknown): Promise<{ code?: string, message: string }> {
  const app = Fastify()
  try {
    await app.register(mcpTransport, { server: testServer(), auth: auth as AuthOptions })
    await app.ready()
    return { message: 'registered' }
  } catch (err) {
    return err as { code?: string, message: string }
  } finally {
    await app.close()
  }
}

function withMetadata (metadata: Record<string, unknown>): unknown {
  return { verifyToken: verifyTestToken, resourceMetadata: metadata }
}

const refused: Array<[string, unknown, string]> = [
  ['null', null, 'auth'],
  ['a string', 'oauth', 'auth'],
  ['no verifyToken', { resourceMetadata: { resource: RESOURCE, authorization_servers: [ISSUER] } }, 'auth.verifyToken'],
  ['no resourceMetadata', { verifyToken: verifyTestToken }, 'auth.resourceMetadata'],
  ['resourceMetadata as an array', { verifyToken: verifyTestToken, resourceMetadata: [RESOURCE] }, 'auth.resourceMetadata'],
  ['a relative resource', withMetadata({ resource: '/mcp', authorization_servers: [ISSUER] }), 'auth.resourceMetadata.resource'],
  ['a resource that is not http(s)', withMetadata({ resource: 'ftp://mcp.example.com/mcp', authorization_servers: [ISSUER] }), 'auth.resourceMetadata.resource'],
  ['a resource with a fragment', withMetadata({ resource: `${RESOURCE}#part`, authorization_servers: [ISSUER] }), 'auth.resourceMetadata.resource'],
  ['a resource that is not a string', withMetadata({ resource: 42, authorization_servers: [ISSUER] }), 'auth.resourceMetadata.resource'],
  ['no authorization_servers', withMetadata({ resource: RESOURCE }), 'auth.resourceMetadata.authorization_servers'],
  ['empty authorization_servers', withMetadata({ resource: RESOURCE, authorization_servers: [] }), 'auth.resourceMetadata.authorization_servers'],
  ['an authorization server that is not a URL', withMetadata({ resource: RESOURCE, authorization_servers: ['auth server'] }), 'auth.resourceMetadata.authorization_servers[0]'],
  ['a scope with a space', authOptions({ requiredScopes: ['mcp use'] }), 'auth.requiredScopes'],
  ['requiredScopes as a string', authOptions({ requiredScopes: 'mcp:use' as unknown as string[] }), 'auth.requiredScopes'],
  ['a relative resourceMetadataUrl', authOptions({ resourceMetadataUrl: '/.well-known/oauth-protected-resource' }), 'auth.resourceMetadataUrl']
]

for (const [what, auth, option] of refused) {
  test(`auth with ${what} fails register, naming ${option}`, async (t) => {
    const err = await registerError(auth)
    t.equal(err.code, 'FST_MCP_INVALID_OPTION')
    t.match(err.message, `option "${option}" is `)
  })
}

test('the metadata URL defaults to the path-suffixed well-known URL of the resource', async (t) => {
  const auth = resolveAuthOptions(authOptions())!
  t.equal(auth.metadataUrl, 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp')
  t.same(auth.metadataPaths, ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp'])
})

test('a resource without a path has one metadata URL, at the root, without a trailing slash', async (t) => {
  for (const resource of ['https://mcp.example.com', 'https://mcp.example.com/']) {
    const auth = resolveAuthOptions(authOptions({ resourceMetadata: { resource, authorization_servers: [ISSUER] } }))!
    t.equal(auth.metadataUrl, 'https://mcp.example.com/.well-known/oauth-protected-resource', resource)
    t.same(auth.metadataPaths, ['/.well-known/oauth-protected-resource'], resource)
  }
})

test('the derived URL keeps the port and the path of the resource', async (t) => {
  const auth = resolveAuthOptions(authOptions({ resourceMetadata: { resource: 'http://127.0.0.1:3000/api/mcp', authorization_servers: [ISSUER] } }))!
  t.equal(auth.metadataUrl, 'http://127.0.0.1:3000/.well-known/oauth-protected-resource/api/mcp')
})

test('an explicit resourceMetadataUrl is announced instead', async (t) => {
  const auth = resolveAuthOptions(authOptions({ resourceMetadataUrl: 'https://meta.example.com/prm' }))!
  t.equal(auth.metadataUrl, 'https://meta.example.com/prm')
})

test('requiredScopes default to none', async (t) => {
  const auth = resolveAuthOptions(authOptions())!
  t.same(auth.requiredScopes, [])
  t.equal(auth.scope, '')
})

test('without auth nothing is registered: no metadata route, no token needed', async (t) => {
  t.equal(resolveAuthOptions(undefined), null)
  const app = await buildApp()
  t.teardown(() => app.close())
  t.equal((await app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource' })).statusCode, 404)
  t.ok(await initSession(app), 'a session without any token')
})
