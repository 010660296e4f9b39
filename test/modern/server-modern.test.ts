// The built-in server in the 2026-07-28 era: server/discover, serverInfo and caching hints
// on results, -32602 for an unknown resource, logs only with a _meta logLevel, and SEP-2243
// Mcp-Param-* checks.
import { test } from 'tap'
import { buildApp, initSession, post, sessionHeaders, sseMessages } from '../helpers.js'
import { createMcpServer } from '../../lib/index.js'
import { checkParamHeaders } from '../../lib/server/param-headers.js'
import { isModernMessage, metaOf } from '../../lib/modern/era.js'
import { modernMeta, modernRequest } from './modern-helpers.js'

function server () {
  const s = createMcpServer({ name: 'modern', version: '2.0.0', title: 'Modern', instructions: 'Be kind' })
  s.tool('log', { description: 'Logs at two levels' }, (_args, ctx) => {
    ctx.log('debug', 'fine detail')
    ctx.log('error', 'bad news')
    return 'logged'
  })
  s.tool('region', {
    description: 'Mirrored parameter',
    input: { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, n: { type: 'integer', 'x-mcp-header': 'N' } } }
  }, ({ region }: { region?: string }) => `region ${String(region)}`)
  s.resource('a', 'test://a', {}, () => 'a')
  s.prompt('p', { description: 'p' }, () => 'p')
  return s
}

test('server/discover lists every supported version, the capabilities and the server', async (t) => {
  const app = await buildApp({}, server())
  t.teardown(() => app.close())
  const result = (await modernRequest(app, 'server/discover')).json().result
  t.same(result.supportedVersions, ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'])
  t.same(result.capabilities, { logging: {}, tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true } })
  t.equal(result.instructions, 'Be kind')
  t.same(result._meta['io.modelcontextprotocol/serverInfo'], { name: 'modern', version: '2.0.0', title: 'Modern' })
  t.equal(result.ttlMs, 0)
  t.equal(result.cacheScope, 'private')
})

test('server/discover does not exist inside a legacy session', async (t) => {
  const app = await buildApp({}, server())
  t.teardown(() => app.close())
  const session = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'server/discover' }, sessionHeaders(session))
  t.equal(res.json().error.code, -32601)
})

test('list and read results carry caching hints; other results do not', async (t) => {
  const s = createMcpServer({ name: 'c', version: '1', cache: { ttlMs: 60000, cacheScope: 'public' } })
  s.tool('t', { description: 't' }, () => 't')
  s.resource('a', 'test://a', {}, () => 'a')
  const app = await buildApp({}, s)
  t.teardown(() => app.close())
  for (const [method, params] of [['tools/list', {}], ['resources/list', {}], ['resources/templates/list', {}], ['resources/read', { uri: 'test://a' }]] as const) {
    const result = (await modernRequest(app, method, params)).json().result
    t.same([result.ttlMs, result.cacheScope, result.resultType], [60000, 'public', 'complete'], method)
  }
  const call = (await modernRequest(app, 'tools/call', { name: 't', arguments: {} })).json().result
  t.equal(call.ttlMs, undefined, 'tools/call is not cacheable')
})

test('hints a handler set itself are kept', async (t) => {
  const s = createMcpServer({ name: 'c', version: '1' })
  s.resource('a', 'test://a', {}, () => ({ contents: [{ uri: 'test://a', text: 'a' }], ttlMs: 5, cacheScope: 'public', _meta: { mine: 1 } }))
  const app = await buildApp({}, s)
  t.teardown(() => app.close())
  const result = (await modernRequest(app, 'resources/read', { uri: 'test://a' })).json().result
  t.same([result.ttlMs, result.cacheScope], [5, 'public'])
  t.equal(result._meta.mine, 1, 'the handler _meta is kept beside serverInfo')
})

test('reading an unknown resource is -32602 with data.uri', async (t) => {
  const app = await buildApp({}, server())
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'resources/read', { uri: 'test://missing' })
  t.equal(res.statusCode, 200)
  t.same(res.json().error, { code: -32602, message: 'Resource not found: test://missing', data: { uri: 'test://missing' } })
})

test('without a _meta logLevel a modern request gets no log messages', async (t) => {
  const app = await buildApp({}, server())
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'log', arguments: {} })
  t.match(res.headers['content-type'], /application\/json/, 'nothing was streamed')
  t.equal(res.json().result.content[0].text, 'logged')
})

test('with a _meta logLevel the request gets the messages at or above it', async (t) => {
  const app = await buildApp({}, server())
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'log', arguments: {} }, { meta: modernMeta({}, { 'io.modelcontextprotocol/logLevel': 'warning' }) })
  const messages = sseMessages(res.body)
  t.same(messages.filter((m) => m.method === 'notifications/message').map((m) => m.params.data), ['bad news'])
})

test('an unknown _meta logLevel counts as none', async (t) => {
  const app = await buildApp({}, server())
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'log', arguments: {} }, { meta: modernMeta({}, { 'io.modelcontextprotocol/logLevel': 'loud' }) })
  t.match(res.headers['content-type'], /application\/json/)
})

test('Mcp-Param headers are checked against the arguments (400 + -32020)', async (t) => {
  const app = await buildApp({}, server())
  t.teardown(() => app.close())
  const ok = await modernRequest(app, 'tools/call', { name: 'region', arguments: { region: 'eu', n: 3 } }, { headers: { 'mcp-param-region': '=?base64?ZXU=?=', 'mcp-param-n': '3' } })
  t.equal(ok.json().result.content[0].text, 'region eu')
  const missing = await modernRequest(app, 'tools/call', { name: 'region', arguments: { region: 'eu' } })
  t.equal(missing.statusCode, 400)
  t.equal(missing.json().error.code, -32020)
  const wrong = await modernRequest(app, 'tools/call', { name: 'region', arguments: { region: 'eu' } }, { headers: { 'mcp-param-region': 'us' } })
  t.equal(wrong.json().error.code, -32020)
})

test('an unknown tool is -32602 in the modern era too', async (t) => {
  const app = await buildApp({}, server())
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'nope', arguments: {} })
  t.equal(res.json().error.code, -32602)
})

test('checkParamHeaders compares by type and refuses stray or undecodable headers', async (t) => {
  const schema = {
    properties: {
      s: { type: 'string', 'x-mcp-header': 'S' },
      n: { type: 'number', 'x-mcp-header': 'N' },
      b: { type: 'boolean', 'x-mcp-header': 'B' },
      plain: { type: 'string' },
      odd: null
    }
  }
  t.doesNotThrow(() => checkParamHeaders(schema, { s: 'x', n: 1.5, b: true }, { 'mcp-param-s': 'x', 'mcp-param-n': '1.50', 'mcp-param-b': 'true' }))
  t.doesNotThrow(() => checkParamHeaders(schema, { s: null }, {}), 'absent values need no header')
  t.doesNotThrow(() => checkParamHeaders(schema, undefined, {}), 'no arguments at all')
  t.doesNotThrow(() => checkParamHeaders({}, {}, {}), 'no properties')
  t.throws(() => checkParamHeaders(schema, {}, { 'mcp-param-s': 'x' }), { code: -32020 }, 'a header without a value')
  t.throws(() => checkParamHeaders(schema, { n: 2 }, { 'mcp-param-n': '' }), { code: -32020 }, 'an empty number')
  t.throws(() => checkParamHeaders(schema, { b: false }, { 'mcp-param-b': 'False' }), { code: -32020 }, 'booleans are exact')
  t.throws(() => checkParamHeaders(schema, { s: 'x' }, { 'mcp-param-s': ['x', 'y'] }), { code: -32020 }, 'a repeated header')
  t.throws(() => checkParamHeaders(schema, { s: 'x' }, { 'mcp-param-s': '=?base64?eA?=' }), { code: -32020 }, 'bad Base64')
})

test('resourceUpdated works with a host that has no listen streams (publish is optional)', async (t) => {
  const s = createMcpServer({ name: 'h', version: '1' })
  s.resource('a', 'test://a', {}, () => 'a')
  const notified: string[] = []
  s.attach({ notify: (id) => { notified.push(id); return true }, broadcast: () => 0 })
  t.equal(s.resourceUpdated('test://a'), 0, 'nobody subscribed')
})

test('era classification', async (t) => {
  const request = { jsonrpc: '2.0' as const, id: 1, method: 'tools/list' }
  const withMeta = { ...request, params: { _meta: { 'io.modelcontextprotocol/protocolVersion': 'v9' } } }
  t.ok(isModernMessage({}, withMeta), '_meta protocolVersion')
  t.ok(isModernMessage({ 'mcp-protocol-version': '2026-07-28' }, request), 'modern header')
  t.notOk(isModernMessage({ 'mcp-protocol-version': '2025-11-25', 'mcp-method': 'tools/list' }, request), 'a legacy header wins over Mcp-Method')
  t.ok(isModernMessage({ 'mcp-method': 'tools/list' }, request), 'Mcp-Method without a version header')
  t.notOk(isModernMessage({ 'mcp-method': 'initialize' }, { ...request, method: 'initialize' }), 'a bare initialize is legacy')
  t.notOk(isModernMessage({}, request), 'nothing modern')
  t.notOk(isModernMessage({ 'mcp-method': 'x' }, { jsonrpc: '2.0', id: 1, result: {} }), 'responses are legacy')
  t.equal(metaOf({ jsonrpc: '2.0', method: 'x' }), undefined)
  t.equal(metaOf({ jsonrpc: '2.0', method: 'x', params: { _meta: [] as unknown as Record<string, unknown> } }), undefined)
  t.equal(metaOf({ jsonrpc: '2.0', method: 'x', params: null as unknown as Record<string, unknown> }), undefined)
})
