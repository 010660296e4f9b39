// fromSdkServer's `access` option (issue 16): SDK servers have no place for scopes in their
// own definitions, so the adapter holds the rules; the transport checks them before the
// SDK sees a call, and the adapter takes what the token may not use out of the SDK's lists.
import { test, type Test } from 'tap'
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import Fastify, { type FastifyInstance } from 'fastify'
import mcpTransport from '../../lib/index.js'
import { fromSdkServer, type SdkAccessRules } from '../../lib/adapters/index.js'
import { modernRequest } from '../modern/modern-helpers.js'
import { accessAuth, accessSession, bearer, callTool, rpc } from '../access/access-helpers.js'

function sdkRepoServer (): McpServer {
  const server = new McpServer({ name: 'sdk-repos', version: '1.0.0' })
  server.registerTool('read_repo', { description: 'Reads', inputSchema: {} }, async () => ({ content: [{ type: 'text', text: 'readme' }] }))
  server.registerTool('delete_repo', { description: 'Deletes', inputSchema: {} }, async () => ({ content: [{ type: 'text', text: 'deleted' }] }))
  server.registerPrompt('audit', { description: 'Audit' }, async () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'audit' } }] }))
  server.registerPrompt('hello', { description: 'Hello' }, async () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }] }))
  server.registerResource('secrets', 'repo://secrets', {}, async (uri) => ({ contents: [{ uri: uri.href, text: 'hunter2' }] }))
  server.registerResource('readme', 'repo://readme', {}, async (uri) => ({ contents: [{ uri: uri.href, text: 'read me' }] }))
  server.registerResource('issues', new ResourceTemplate('repo://issues/{id}', {
    list: async () => ({ resources: [{ uri: 'repo://issues/1', name: 'issue 1' }] })
  }), {}, async (uri) => ({ contents: [{ uri: uri.href, text: 'issue' }] }))
  return server
}

const RULES: SdkAccessRules = {
  tools: { delete_repo: { scopes: ['repo:admin'] }, read_repo: {} },
  prompts: { audit: { scopes: ['repo:admin'] } },
  resources: { 'repo://secrets': { scopes: ['repo:admin'] } },
  resourceTemplates: { 'repo://issues/{id}': { authorize: (auth) => auth.scopes.includes('repo:admin') } }
}

async function build (t: Test, auth: Record<string, unknown> = {}, access: SdkAccessRules = RULES): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(mcpTransport, { server: fromSdkServer(() => sdkRepoServer(), { access }), auth: accessAuth(auth) })
  t.teardown(() => app.close())
  return app
}

function names (items: Array<{ name: string }>): string[] {
  return items.map((item) => item.name)
}

test('an SDK server\'s lists hide what the token lacks the scopes for', async (t) => {
  const app = await build(t)
  const session = await accessSession(app, 'reader')
  t.same(names((await rpc(app, session, 'reader', 'tools/list')).json().result.tools), ['read_repo'])
  t.same(names((await rpc(app, session, 'reader', 'prompts/list')).json().result.prompts), ['hello'])
  t.same((await rpc(app, session, 'reader', 'resources/list')).json().result.resources.map((r: { uri: string }) => r.uri), ['repo://readme'])
  t.same((await rpc(app, session, 'reader', 'resources/templates/list')).json().result.resourceTemplates, [])
  t.same(names((await rpc(app, session, 'admin', 'tools/list')).json().result.tools), ['read_repo', 'delete_repo'])
  t.equal((await rpc(app, session, 'admin', 'resources/templates/list')).json().result.resourceTemplates.length, 1)
  t.equal((await rpc(app, session, 'admin', 'resources/list')).json().result.resources.length, 3, 'nothing to take out: the SDK\'s list as it was')
})

test('an SDK server\'s call lacking the scope is 403 before the SDK sees it; the stepped-up token is served', async (t) => {
  const app = await build(t)
  const session = await accessSession(app, 'reader')
  const refused = await callTool(app, session, 'reader', 'delete_repo')
  t.equal(refused.statusCode, 403)
  t.match(refused.headers['www-authenticate'], /error="insufficient_scope", scope="repo:admin"/)
  t.equal((await rpc(app, session, 'reader', 'prompts/get', { name: 'audit' })).statusCode, 403)
  t.equal((await rpc(app, session, 'reader', 'resources/read', { uri: 'repo://secrets' })).statusCode, 403)
  t.equal((await rpc(app, session, 'reader', 'resources/read', { uri: 'repo://issues/3' })).statusCode, 403, 'a URI of the guarded template')
  t.equal((await rpc(app, session, 'reader', 'resources/read', { uri: 'repo://readme' })).statusCode, 200)
  t.equal((await rpc(app, session, 'reader', 'resources/read', {})).statusCode, 200, 'no URI: the SDK answers the error itself')
  const served = await callTool(app, session, 'admin', 'delete_repo')
  t.equal(served.json().result.content[0].text, 'deleted')
})

test('2026-07-28 through the adapter: hidden in the list, 403 on the call', async (t) => {
  const app = await build(t)
  t.same(names((await modernRequest(app, 'tools/list', {}, { headers: bearer('reader') })).json().result.tools), ['read_repo'])
  t.equal((await modernRequest(app, 'tools/call', { name: 'delete_repo', arguments: {} }, { headers: bearer('reader') })).statusCode, 403)
})

test('listUnauthorized "show": the SDK\'s lists are left as they are', async (t) => {
  const app = await build(t, { listUnauthorized: 'show' })
  const session = await accessSession(app, 'reader')
  t.same(names((await rpc(app, session, 'reader', 'tools/list')).json().result.tools), ['read_repo', 'delete_repo'])
})

test('the adapter\'s declared scopes reach scopes_supported', async (t) => {
  const app = await build(t)
  const doc = await app.inject({ method: 'GET', url: '/.well-known/oauth-protected-resource/mcp' })
  t.same(doc.json().scopes_supported, ['repo:admin'])
  t.same(fromSdkServer(() => sdkRepoServer()).declaredScopes(), [], 'no access option, no scopes')
  t.equal(fromSdkServer(() => sdkRepoServer()).accessRule({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } }), undefined)
  const ruled = fromSdkServer(() => sdkRepoServer(), { access: RULES })
  t.same(ruled.accessRule({ jsonrpc: '2.0', id: 1, method: 'resources/subscribe', params: { uri: 'repo://secrets' } }), { scopes: ['repo:admin'] })
  t.equal(ruled.accessRule({ jsonrpc: '2.0', id: 1, method: 'ping' }), undefined)
  t.equal(ruled.accessRule({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} }), undefined, 'no name, no rule')
})

test('the adapter leaves results that are not lists of items alone', async (t) => {
  const adapter = fromSdkServer(() => sdkRepoServer(), { access: RULES })
  const auth = { token: 'reader', clientId: 'c', scopes: [] }
  const table = (adapter as unknown as { access: { filter: (m: string, r: object, a: object) => object } }).access
  const odd = { tools: 'not an array' }
  t.equal(table.filter('tools/list', odd, auth), odd)
  const other = { value: 1 }
  t.equal(table.filter('ping', other, auth), other)
})

test('the access option is checked when the adapter is built', async (t) => {
  t.throws(() => fromSdkServer(() => sdkRepoServer(), { access: 5 as never }), /access must be an object/)
  t.throws(() => fromSdkServer(() => sdkRepoServer(), { access: { tools: 5 as never } }), /access.tools must be an object of access rules/)
  t.throws(() => fromSdkServer(() => sdkRepoServer(), { access: { tools: { a: { scopes: ['a b'] } } } }), /access.tools\["a"\]: scopes must be an array/)
  t.throws(() => fromSdkServer(() => sdkRepoServer(), { access: { resourceTemplates: { 'x://{?q}': { scopes: ['a'] } } } }), TypeError, 'a template that does not compile')
  t.doesNotThrow(() => fromSdkServer(() => sdkRepoServer(), { access: { tools: { a: null as never } } }), 'null is no rule')
})
