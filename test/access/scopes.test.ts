// Per-item access rules (issue 16): what a tool, prompt, resource or template declares in
// `scopes` / `authorize` is checked before its handler runs, answered 403 with the
// insufficient_scope challenge (2025-11-25 authorization §Runtime Insufficient Scope
// Errors), and left out of the lists unless auth.listUnauthorized is 'show'.
import { test } from 'tap'
import { Type } from '@sinclair/typebox'
import { createMcpServer } from '../../lib/index.js'
import { buildApp, initSession, post, sessionHeaders } from '../helpers.js'
import { METADATA_URL } from '../auth/auth-helpers.js'
import { modernRequest } from '../modern/modern-helpers.js'
import { openLegacy, postMessage, initializeMessage } from '../legacy/sse-reader.js'
import { accessApp, accessAuth, accessSession, bearer, callTool, repoServer, rpc } from './access-helpers.js'
import { setupOtel } from '../telemetry/otel-harness.js'

const CHALLENGE = `Bearer error="insufficient_scope", scope="repo:admin", resource_metadata="${METADATA_URL}", error_description="The access token lacks a scope this request needs"`

function names (items: Array<{ name: string }>): string[] {
  return items.map((item) => item.name)
}

test('tools/list hides a tool whose scopes the token lacks, and shows it to a token that has them', async (t) => {
  const app = await accessApp(t)
  const session = await accessSession(app, 'reader')
  const weak = await rpc(app, session, 'reader', 'tools/list')
  t.same(names(weak.json().result.tools), ['read_repo'], 'neither delete_repo (scope) nor tenant_report (predicate)')
  const strong = await rpc(app, session, 'admin', 'tools/list')
  t.same(names(strong.json().result.tools), ['read_repo', 'delete_repo'])
  const tenant = await rpc(app, await accessSession(app, 'other'), 'other', 'tools/list')
  t.same(names(tenant.json().result.tools), ['read_repo', 'delete_repo', 'tenant_report'])
})

test('a call lacking the scope is refused with 403, the challenge and a JSON-RPC error, before the handler runs', async (t) => {
  let ran = 0
  const server = repoServer()
  server.tool('drop_all', { scopes: ['repo:admin'] }, () => { ran++; return 'dropped' })
  const app = await accessApp(t, {}, server)
  const session = await accessSession(app, 'reader')
  const res = await callTool(app, session, 'reader', 'drop_all')
  t.equal(res.statusCode, 403)
  t.equal(res.headers['www-authenticate'], CHALLENGE)
  const body = res.json()
  t.equal(body.id, 5)
  t.equal(body.error.code, -32000)
  t.match(body.error.message, /lacks a scope this request needs \(repo:admin\)/)
  t.same(body.error.data, { status: 403, error: 'insufficient_scope', scope: 'repo:admin', resource_metadata: METADATA_URL, wwwAuthenticate: CHALLENGE })
  t.equal(ran, 0, 'the handler never ran')
  // Step-up: the same user with a stronger token, in the same session.
  const retried = await callTool(app, session, 'admin', 'drop_all')
  t.equal(retried.statusCode, 200)
  t.equal(retried.json().result.content[0].text, 'dropped')
  t.equal(ran, 1)
})

test('the challenge asks for the endpoint\'s required scopes too, so the new token keeps the endpoint', async (t) => {
  const app = await accessApp(t, { auth: accessAuth({ requiredScopes: ['repo:read'] }) })
  const session = await accessSession(app, 'reader')
  const res = await callTool(app, session, 'reader', 'delete_repo')
  t.equal(res.statusCode, 403)
  t.match(res.headers['www-authenticate'], /scope="repo:read repo:admin"/)
})

test('a predicate that refuses is 403 insufficient_scope with its own description', async (t) => {
  const app = await accessApp(t)
  const session = await accessSession(app, 'admin')
  const res = await callTool(app, session, 'admin', 'tenant_report')
  t.equal(res.statusCode, 403)
  t.equal(res.headers['www-authenticate'], `Bearer error="insufficient_scope", resource_metadata="${METADATA_URL}", error_description="The access token does not permit this request"`)
  const allowed = await callTool(app, await accessSession(app, 'other'), 'other', 'tenant_report')
  t.equal(allowed.json().result.content[0].text, 'report')
})

test('prompts, resources and templates follow their rules in lists and when used', async (t) => {
  const app = await accessApp(t)
  const session = await accessSession(app, 'reader')
  t.same(names((await rpc(app, session, 'reader', 'prompts/list')).json().result.prompts), ['hello'])
  t.same((await rpc(app, session, 'reader', 'resources/list')).json().result.resources.map((r: { uri: string }) => r.uri), ['repo://readme'],
    'neither the scoped resource nor what the scoped template lists')
  t.same((await rpc(app, session, 'reader', 'resources/templates/list')).json().result.resourceTemplates, [])
  t.equal((await rpc(app, session, 'reader', 'prompts/get', { name: 'audit' })).statusCode, 403)
  t.equal((await rpc(app, session, 'reader', 'resources/read', { uri: 'repo://secrets' })).statusCode, 403)
  t.equal((await rpc(app, session, 'reader', 'resources/read', { uri: 'repo://issues/7' })).statusCode, 403, 'a URI the template matches')
  t.equal((await rpc(app, session, 'reader', 'resources/subscribe', { uri: 'repo://secrets' })).statusCode, 403)
  t.equal((await rpc(app, session, 'reader', 'resources/read', { uri: 'repo://readme' })).statusCode, 200)
  t.equal((await rpc(app, session, 'reader', 'prompts/get', { name: 'hello' })).statusCode, 200)

  t.same(names((await rpc(app, session, 'admin', 'prompts/list')).json().result.prompts), ['audit', 'hello'])
  t.same((await rpc(app, session, 'admin', 'resources/list')).json().result.resources.map((r: { uri: string }) => r.uri), ['repo://secrets', 'repo://readme', 'repo://issues/1'])
  t.equal((await rpc(app, session, 'admin', 'resources/templates/list')).json().result.resourceTemplates.length, 1)
  t.equal((await rpc(app, session, 'admin', 'resources/read', { uri: 'repo://issues/7' })).json().result.contents[0].text, 'issue repo://issues/7')
})

test('listUnauthorized "show" lists everything; calling still needs the scope (step-up)', async (t) => {
  const app = await accessApp(t, { auth: accessAuth({ listUnauthorized: 'show' }) })
  const session = await accessSession(app, 'reader')
  t.same(names((await rpc(app, session, 'reader', 'tools/list')).json().result.tools), ['read_repo', 'delete_repo', 'tenant_report'])
  t.equal((await callTool(app, session, 'reader', 'delete_repo')).statusCode, 403)
})

test('unknown tools and unguarded methods pass the gate to the server', async (t) => {
  const app = await accessApp(t)
  const session = await accessSession(app, 'reader')
  const unknown = await callTool(app, session, 'reader', 'nope')
  t.equal(unknown.statusCode, 200)
  t.equal(unknown.json().error.code, -32602)
  t.equal((await rpc(app, session, 'reader', 'ping')).json().result !== undefined, true)
})

test('in a 2025-03-26 batch a refused call gets its JSON-RPC error with the challenge in data; the others run', async (t) => {
  const app = await accessApp(t)
  const session = await accessSession(app, 'reader', '2025-03-26')
  const res = await post(app, [
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'delete_repo', arguments: {} } },
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'read_repo', arguments: {} } }
  ], { ...sessionHeaders(session, '2025-03-26'), ...bearer('reader') })
  t.equal(res.statusCode, 200)
  const byId = new Map(res.json().map((r: { id: number }) => [r.id, r]))
  const refused = byId.get(1) as { error: { code: number, data: Record<string, unknown> } }
  t.equal(refused.error.code, -32000)
  t.equal(refused.error.data.error, 'insufficient_scope')
  t.equal(refused.error.data.scope, 'repo:admin')
  t.equal(refused.error.data.wwwAuthenticate, CHALLENGE)
  t.same((byId.get(2) as { result: unknown }).result, { content: [{ type: 'text', text: 'readme' }] })
})

test('2026-07-28: the list hides, a call is refused with 403 and the challenge', async (t) => {
  const app = await accessApp(t)
  const list = await modernRequest(app, 'tools/list', {}, { headers: bearer('reader') })
  t.same(names(list.json().result.tools), ['read_repo'])
  const res = await modernRequest(app, 'tools/call', { name: 'delete_repo', arguments: {} }, { headers: bearer('reader') })
  t.equal(res.statusCode, 403)
  t.equal(res.headers['www-authenticate'], CHALLENGE)
  t.equal(res.json().error.data.error, 'insufficient_scope')
  const ok = await modernRequest(app, 'tools/call', { name: 'delete_repo', arguments: {} }, { headers: bearer('admin') })
  t.equal(ok.statusCode, 200)
  t.equal(ok.json().result.content[0].text, 'deleted')
})

test('HTTP+SSE: the POST of a refused call is answered 403 with the challenge, and nothing goes on the stream', async (t) => {
  const app = await accessApp(t)
  const legacy = await openLegacy(app, '/sse', bearer('reader'))
  t.teardown(() => legacy.res.stream().destroy())
  t.equal((await postMessage(app, legacy.sessionId, initializeMessage(), bearer('reader'))).statusCode, 202)
  await legacy.reader.message()
  const refused = await postMessage(app, legacy.sessionId, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'delete_repo', arguments: {} } }, bearer('reader'))
  t.equal(refused.statusCode, 403)
  t.equal(refused.headers['www-authenticate'], CHALLENGE)
  t.equal(refused.json().id, 2)
  const list = await postMessage(app, legacy.sessionId, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, bearer('reader'))
  t.equal(list.statusCode, 202)
  const listed = await legacy.reader.message()
  t.equal(listed.id, 3, 'the next message on the stream answers the list, not the refused call')
  t.same(names(listed.result.tools), ['read_repo'])
  t.equal((await postMessage(app, legacy.sessionId, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'delete_repo', arguments: {} } }, bearer('admin'))).statusCode, 202)
  t.equal((await legacy.reader.message()).result.content[0].text, 'deleted')
})

test('declared scopes appear in scopes_supported unless the user set that list', async (t) => {
  const app = await accessApp(t, { auth: accessAuth({ requiredScopes: ['repo:read'] }) })
  const doc = await app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/mcp' })
  t.same(doc.json().scopes_supported, ['repo:read', 'repo:admin'])
  const given = await buildApp({ auth: accessAuth({ resourceMetadata: { resource: 'https://mcp.example.com/mcp', authorization_servers: ['https://auth.example.com'], scopes_supported: ['mine'] } }) }, repoServer())
  t.teardown(() => given.close())
  t.same((await given.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/mcp' })).json().scopes_supported, ['mine'])
  const none = await buildApp({ auth: accessAuth() }, createMcpServer({ name: 'plain', version: '1' }).tool('x', {}, () => 'x'))
  t.teardown(() => none.close())
  t.notOk('scopes_supported' in (await none.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/mcp' })).json(), 'no scope anywhere: no list')
})

test('health counts the calls refused for their scopes, per tool', async (t) => {
  const app = await accessApp(t)
  const session = await accessSession(app, 'reader')
  await callTool(app, session, 'reader', 'delete_repo')
  await callTool(app, session, 'reader', 'delete_repo')
  await rpc(app, session, 'reader', 'prompts/get', { name: 'audit' })
  const health = (await app.inject({ method: 'GET', url: '/health' })).json()
  t.same(health.refused_calls, { insufficient_scope: 3, rate_limited: 0, limiter_unavailable: 0, tools: { delete_repo: { insufficient_scope: 2, rate_limited: 0, limiter_unavailable: 0 } } })
})

test('with telemetry, scope refusals are counted in mcp.server.call.refused (a tool name only for tools/call)', async (t) => {
  const otel = setupOtel()
  const app = await accessApp(t, { telemetry: { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider } })
  const session = await accessSession(app, 'reader')
  await callTool(app, session, 'reader', 'delete_repo')
  await rpc(app, session, 'reader', 'prompts/get', { name: 'audit' })
  const points = (await otel.metrics()).get('mcp.server.call.refused')!.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value }))
  t.same(points, [
    { attributes: { 'mcp.method.name': 'tools/call', 'error.type': 'insufficient_scope', 'gen_ai.tool.name': 'delete_repo' }, value: 1 },
    { attributes: { 'mcp.method.name': 'prompts/get', 'error.type': 'insufficient_scope' }, value: 1 }
  ])
})

test('without the auth option rules have no token to check: everything is listed and callable', async (t) => {
  const app = await buildApp({}, repoServer())
  t.teardown(() => app.close())
  const session = await initSession(app)
  const list = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, sessionHeaders(session))
  t.same(names(list.json().result.tools), ['read_repo', 'delete_repo', 'tenant_report'])
  t.notOk('refused_calls' in (await app.inject({ method: 'GET', url: '/health' })).json(), 'no gate, no counts')
})

test('a template\'s list function is not called for a token that may not read it', async (t) => {
  let listed = 0
  const server = createMcpServer({ name: 'lazy', version: '1' })
  server.resourceTemplate('logs', 'log://{day}', { scopes: ['repo:admin'], list: () => { listed++; return [] } }, () => 'log')
  const app = await accessApp(t, {}, server)
  const session = await accessSession(app, 'reader')
  t.same((await rpc(app, session, 'reader', 'resources/list')).json().result.resources, [])
  t.equal(listed, 0)
})

test('rules are checked when items are registered', async (t) => {
  const server = createMcpServer({ name: 'bad', version: '1' })
  t.throws(() => server.tool('a', { scopes: ['has space'] }, () => 'a'), /Tool "a": scopes must be an array of OAuth scopes/)
  t.throws(() => server.tool('b', { scopes: 'repo:admin' as never }, () => 'b'), /scopes must be an array/)
  t.throws(() => server.prompt('c', { authorize: 'yes' as never }, () => 'c'), /Prompt "c": authorize must be a function/)
  t.throws(() => server.resource('d', 'x://d', { scopes: [1 as never] }, () => 'd'), /Resource "x:\/\/d": scopes/)
  t.throws(() => server.resourceTemplate('e', 'x://{e}', { authorize: 1 as never }, () => 'e'), /Resource template "x:\/\/\{e\}": authorize/)
  server.tool('f', { scopes: [], input: Type.Object({}) }, () => 'f')
  t.equal(server.accessRule({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'f' } }), undefined, 'an empty scope list is no rule')
  t.equal(server.accessRule({ jsonrpc: '2.0', id: 1, method: 'ping' }), undefined)
  t.equal(server.accessRule({ jsonrpc: '2.0', id: 1, method: 'tools/call' }), undefined, 'no name, no rule')
  t.equal(server.accessRule({ jsonrpc: '2.0', id: 1, method: 'prompts/get', params: {} }), undefined)
  t.equal(server.accessRule({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: {} }), undefined, 'no URI, no rule')
})

test('auth.listUnauthorized is checked at registration', async (t) => {
  await t.rejects(buildApp({ auth: accessAuth({ listUnauthorized: 'maybe' }) }, repoServer()), /option "auth.listUnauthorized" is "maybe"; expected 'hide' or 'show'/)
})

test('a server of its own whose rule has only a predicate: 403 without a scope to ask for', async (t) => {
  let handled = 0
  const server = {
    handleRequest: () => { handled++; return { content: [] } },
    accessRule: () => ({ authorize: () => false })
  }
  const app = await buildApp({ auth: accessAuth() }, server as never)
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'anything', arguments: {} }, { headers: bearer('admin') })
  t.equal(res.statusCode, 403)
  t.equal(res.headers['www-authenticate'], `Bearer error="insufficient_scope", resource_metadata="${METADATA_URL}", error_description="The access token does not permit this request"`)
  t.equal(handled, 0)
})
