// The bearer guard (2025-11-25 authorization §Token Requirements, §Token Handling, §Error
// Handling; items 101-105, 107): every MCP route needs a valid token for this server.
import { test } from 'tap'
import Fastify from 'fastify'
import mcpTransport, { errors } from '../../lib/index.js'
import { ACCEPT_BOTH, initializeBody, post } from '../helpers.js'
import { METADATA_URL, TOKENS, authApp, authOptions, authServer, authSession, bearer, toolText, whoami } from './auth-helpers.js'

const CHALLENGE = `Bearer resource_metadata="${METADATA_URL}"`

function errorChallenge (error: string, description: string, scope?: string): string {
  const scoped = scope === undefined ? '' : `, scope="${scope}"`
  return `Bearer error="${error}"${scoped}, resource_metadata="${METADATA_URL}", error_description="${description}"`
}

test('a request without Authorization gets 401 and the metadata URL, with no error code', async (t) => {
  const app = await authApp(t)
  const res = await post(app, initializeBody())
  t.equal(res.statusCode, 401)
  t.equal(res.headers['www-authenticate'], CHALLENGE)
  t.same(res.json(), { jsonrpc: '2.0', error: { code: -32000, message: new errors.FST_MCP_UNAUTHORIZED().message } })
  t.equal(app.mcpSessions.size, 0, 'no session was created')
})

test('with requiredScopes the 401 challenge names the scopes a token needs', async (t) => {
  const app = await authApp(t, { auth: authOptions({ requiredScopes: ['mcp:use', 'mcp:read'] }) })
  const res = await post(app, initializeBody())
  t.equal(res.statusCode, 401)
  t.equal(res.headers['www-authenticate'], `${CHALLENGE}, scope="mcp:use mcp:read"`)
})

test('another scheme (Basic) is no bearer credentials: 401 without an error code', async (t) => {
  const app = await authApp(t)
  const res = await post(app, initializeBody(), { authorization: 'Basic dXNlcjpwYXNz' })
  t.equal(res.statusCode, 401)
  t.equal(res.headers['www-authenticate'], CHALLENGE)
})

test('the Bearer scheme name is case-insensitive', async (t) => {
  const app = await authApp(t)
  for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
    const res = await post(app, initializeBody(), { authorization: `${scheme} good` })
    t.equal(res.statusCode, 200, scheme)
  }
})

for (const [what, authorization] of [['an empty token', 'Bearer'], ['a blank token', 'Bearer    '], ['a token with a space', 'Bearer two words'], ['a token outside b64token', 'Bearer tok"en'], ['padding in the middle', 'Bearer ab=c']]) {
  test(`Bearer with ${what} is a malformed request: 400 invalid_request`, async (t) => {
    const app = await authApp(t)
    const res = await post(app, initializeBody(), { authorization })
    t.equal(res.statusCode, 400)
    t.equal(res.headers['www-authenticate'], errorChallenge('invalid_request', 'The Authorization header is not Bearer followed by a token'))
    t.equal(res.json().error.code, -32000)
    t.match(res.json().error.message, /^Bad Request: the Authorization header is not Bearer followed by a token; send the access token as Authorization: Bearer <token>$/)
  })
}

test('b64token characters and trailing padding are accepted', async (t) => {
  const token = 'aZ09-._~+/=='
  const app = await authApp(t, { auth: authOptions({ verifyToken: (received) => ({ ...TOKENS.good, token: received }) }) })
  const res = await post(app, initializeBody(), bearer(token))
  t.equal(res.statusCode, 200)
})

test('a token in the query string is refused (400 invalid_request), even with a good header', async (t) => {
  const app = await authApp(t)
  const res = await post(app, initializeBody(), bearer('good'), { url: '/mcp?access_token=good' })
  t.equal(res.statusCode, 400)
  t.equal(res.headers['www-authenticate'], errorChallenge('invalid_request', 'Access tokens are not accepted in the query string'))
  t.notMatch(res.body, 'good')
})

test('a token the verifier refuses gets 401 invalid_token with a generic message; the reason is logged at debug', async (t) => {
  const lines: string[] = []
  const app = Fastify({ logger: { level: 'debug', stream: { write: (line: string) => { lines.push(line) } } } })
  t.teardown(() => app.close())
  await app.register(mcpTransport, { server: authServer(), auth: authOptions() })
  const res = await post(app, initializeBody(), bearer('s3cr3t-unknown'))
  t.equal(res.statusCode, 401)
  t.equal(res.headers['www-authenticate'], errorChallenge('invalid_token', 'The access token is invalid'))
  t.same(res.json(), { jsonrpc: '2.0', error: { code: -32000, message: 'Unauthorized: the access token is invalid; get a new access token for this server' } })
  t.notMatch(res.body, 's3cr3t', 'the token is not echoed')
  t.notMatch(res.body, 'internals', "the verifier's message is not echoed")
  const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'MCP access token refused by auth.verifyToken')
  t.equal(logged?.level, 20, 'logged at debug')
  t.match(logged?.err?.message, 'verifier internals')
})

test('a verifier that rejects its promise is refused the same way', async (t) => {
  const app = await authApp(t, { auth: authOptions({ verifyToken: async () => { throw new Error('introspection said inactive') } }) })
  const res = await post(app, initializeBody(), bearer('good'))
  t.equal(res.statusCode, 401)
  t.equal(res.headers['www-authenticate'], errorChallenge('invalid_token', 'The access token is invalid'))
})

test('an async verifier gets the token and the request, and its AuthInfo lets the request through', async (t) => {
  const seen: Array<[string, string]> = []
  const app = await authApp(t, {
    auth: authOptions({
      verifyToken: async (token, request) => {
        seen.push([token, request.url])
        return TOKENS.good
      }
    })
  })
  const res = await post(app, initializeBody(), bearer('good'))
  t.equal(res.statusCode, 200)
  t.same(seen, [['good', '/mcp']])
})

test('an expired token gets 401 invalid_token, even when the verifier did not check', async (t) => {
  const app = await authApp(t)
  const res = await post(app, initializeBody(), bearer('expired'))
  t.equal(res.statusCode, 401)
  t.equal(res.headers['www-authenticate'], errorChallenge('invalid_token', 'The access token expired'))
  t.match(res.json().error.message, 'the access token expired')
})

test('an expiry that is not a number counts as expired', async (t) => {
  const app = await authApp(t, { auth: authOptions({ verifyToken: () => ({ ...TOKENS.good, expiresAt: Number.NaN }) }) })
  const res = await post(app, initializeBody(), bearer('good'))
  t.equal(res.statusCode, 401)
  t.match(res.headers['www-authenticate'], 'The access token expired')
})

test('a token issued for another resource gets 401 invalid_token (audience binding)', async (t) => {
  const app = await authApp(t)
  const res = await post(app, initializeBody(), bearer('foreign'))
  t.equal(res.statusCode, 401)
  t.equal(res.headers['www-authenticate'], errorChallenge('invalid_token', 'The access token was issued for another resource'))
  t.equal(app.mcpSessions.size, 0)
})

test('an audience that is not a URI at all is another resource', async (t) => {
  const app = await authApp(t, { auth: authOptions({ verifyToken: () => ({ ...TOKENS.good, resource: 'mcp' }) }) })
  const res = await post(app, initializeBody(), bearer('good'))
  t.equal(res.statusCode, 401)
})

test('the audience compares scheme and host case-insensitively and ignores a trailing slash', async (t) => {
  const app = await authApp(t)
  t.equal((await post(app, initializeBody(), bearer('shouting'))).statusCode, 200)
})

test('the audience path is case-sensitive', async (t) => {
  const app = await authApp(t, { auth: authOptions({ verifyToken: () => ({ ...TOKENS.good, resource: 'https://mcp.example.com/MCP' }) }) })
  t.equal((await post(app, initializeBody(), bearer('good'))).statusCode, 401)
})

test('invalid_token challenges name the required scopes too', async (t) => {
  const app = await authApp(t, { auth: authOptions({ requiredScopes: ['mcp:use'] }) })
  const res = await post(app, initializeBody(), bearer('nobody'))
  t.equal(res.headers['www-authenticate'], errorChallenge('invalid_token', 'The access token is invalid', 'mcp:use'))
})

test('a valid token without a required scope gets 403 insufficient_scope naming the scopes', async (t) => {
  const app = await authApp(t, { auth: authOptions({ requiredScopes: ['mcp:use'] }) })
  const res = await post(app, initializeBody(), bearer('unscoped'))
  t.equal(res.statusCode, 403)
  t.equal(res.headers['www-authenticate'], errorChallenge('insufficient_scope', 'The access token lacks a scope this request needs', 'mcp:use'))
  t.same(res.json().error, { code: -32000, message: 'Forbidden: the access token lacks a scope this request needs (mcp:use); get a token with these scopes' })
  t.equal((await post(app, initializeBody(), bearer('good'))).statusCode, 200, 'a token with the scope passes')
})

test('a verifier that throws FST_MCP_INSUFFICIENT_SCOPE gets 403 with its scopes in the challenge', async (t) => {
  const app = await authApp(t, { auth: authOptions({ verifyToken: () => { throw new errors.FST_MCP_INSUFFICIENT_SCOPE('files:read files:write') } }) })
  const res = await post(app, initializeBody(), bearer('good'))
  t.equal(res.statusCode, 403)
  t.equal(res.headers['www-authenticate'], errorChallenge('insufficient_scope', 'The access token lacks a scope this request needs', 'files:read files:write'))
  t.match(res.json().error.message, '(files:read files:write)')
})

test('a verifier-thrown FST_MCP_INSUFFICIENT_SCOPE without usable scopes falls back to requiredScopes', async (t) => {
  for (const [scope, requiredScopes, expected] of [['', ['mcp:use'], 'mcp:use'], ['bad"scope', [], undefined]] as const) {
    const app = await authApp(t, { auth: authOptions({ requiredScopes: [...requiredScopes], verifyToken: () => { throw new errors.FST_MCP_INSUFFICIENT_SCOPE(scope) } }) })
    const res = await post(app, initializeBody(), bearer('good'))
    t.equal(res.statusCode, 403)
    t.equal(res.headers['www-authenticate'], errorChallenge('insufficient_scope', 'The access token lacks a scope this request needs', expected))
  }
})

test('FST_MCP_INSUFFICIENT_SCOPE is a 403 FastifyError that keeps its scope', async (t) => {
  const err = new errors.FST_MCP_INSUFFICIENT_SCOPE('a b')
  t.ok(err instanceof errors.FST_MCP_INSUFFICIENT_SCOPE)
  t.ok(err instanceof Error)
  t.equal(err.code, 'FST_MCP_INSUFFICIENT_SCOPE')
  t.equal(err.statusCode, 403)
  t.equal(err.scope, 'a b')
})

test('a verifier that returns something other than an AuthInfo is a server bug: 500, logged', async (t) => {
  for (const bad of [null, 'alice', { clientId: 'c' }, { scopes: [] }]) {
    const app = await authApp(t, { auth: authOptions({ verifyToken: () => bad as never }) })
    const res = await post(app, initializeBody(), bearer('good'))
    t.equal(res.statusCode, 500, JSON.stringify(bad))
    t.same(res.json().error, { code: -32603, message: 'Internal error' })
  }
})

test('the origin guard runs first: a refused Origin never reaches the verifier', async (t) => {
  let calls = 0
  const app = await authApp(t, { auth: authOptions({ verifyToken: () => { calls++; return TOKENS.good } }) })
  const res = await post(app, initializeBody(), { ...bearer('good'), origin: 'https://evil.example' })
  t.equal(res.statusCode, 403)
  t.equal(res.json().error.message, new errors.FST_MCP_FORBIDDEN_ORIGIN('https://evil.example').message)
  t.equal(calls, 0)
})

test('every MCP route needs the token: GET, DELETE and PUT /mcp, the HTTP+SSE routes, the deprecated paths', async (t) => {
  const app = await authApp(t)
  const session = await authSession(app, 'good')
  const requests = [
    { method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', 'mcp-session-id': session } },
    { method: 'DELETE', url: '/mcp', headers: { 'mcp-session-id': session } },
    { method: 'PUT', url: '/mcp' },
    { method: 'GET', url: '/sse', headers: { accept: 'text/event-stream' } },
    { method: 'POST', url: '/sse' },
    { method: 'POST', url: `/messages?sessionId=${session}`, headers: { 'content-type': 'application/json' }, payload: '{"jsonrpc":"2.0","method":"notifications/initialized"}' },
    { method: 'GET', url: `/mcp/sse/${session}`, headers: { accept: 'text/event-stream' } },
    { method: 'DELETE', url: `/mcp/sessions/${session}` }
  ] as const
  for (const request of requests) {
    const res = await app.inject(request)
    t.equal(res.statusCode, 401, `${request.method} ${request.url}`)
    t.equal(res.headers['www-authenticate'], CHALLENGE, `${request.method} ${request.url}`)
  }
  t.equal(app.mcpSessions.size, 1, 'the session survived the DELETEs without a token')
  t.equal(JSON.parse(toolText(await whoami(app, session, 'good'))).clientId, 'client-a', 'and still works with the token')
})

test('the health routes need no token', async (t) => {
  const app = await authApp(t)
  for (const url of ['/health', '/mcp/health']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 200, url)
  }
})

test('with cors, a preflight is answered without a token and answers expose WWW-Authenticate', async (t) => {
  const app = await authApp(t, { cors: true })
  const origin = 'http://localhost:5173'
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/mcp',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' }
  })
  t.equal(preflight.statusCode, 204)
  t.match(preflight.headers['access-control-allow-headers'], 'authorization')
  const refused = await post(app, initializeBody(), { origin })
  t.equal(refused.statusCode, 401)
  t.match(refused.headers['access-control-expose-headers'], 'www-authenticate')
  t.equal(refused.headers['access-control-allow-origin'], origin)
})

test('without cors an OPTIONS request is not the guard\'s business either (405, Allow)', async (t) => {
  const app = await authApp(t)
  const res = await app.inject({ method: 'OPTIONS', url: '/mcp', headers: { accept: ACCEPT_BOTH } })
  t.equal(res.statusCode, 405)
  t.equal(res.headers.allow, 'GET, POST, DELETE')
  t.equal(res.headers['www-authenticate'], undefined)
})

test('a preflight @fastify/cors passes on (preflightContinue) is not asked for a token', async (t) => {
  const app = await authApp(t, { cors: { preflightContinue: true } })
  const res = await app.inject({
    method: 'OPTIONS',
    url: '/mcp',
    headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' }
  })
  t.equal(res.statusCode, 200, "answered by @fastify/cors's OPTIONS route, not refused")
  t.equal(res.headers['www-authenticate'], undefined)
})
