// 2026-07-28 request validation on the shared endpoint (T-0728 §Server Validation,
// B-0728 §`_meta`; mcp-transport-spec items 87-93, 96).
import { test } from 'tap'
import { buildApp } from '../helpers.js'
import { decodeHeaderValue, SUPPORTED_VERSIONS } from '../../lib/modern/modern-request.js'
import { MODERN, modernMeta, modernRequest } from './modern-helpers.js'

test('a modern request without MCP-Protocol-Version is 400 + -32020', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/list', {}, { headers: { 'mcp-protocol-version': undefined } })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32020)
  t.equal(res.json().id, 1, 'the error keeps the request id')
})

test('a modern request without _meta protocolVersion is 400 + -32602', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'server/discover', {}, { meta: { 'io.modelcontextprotocol/clientCapabilities': {} } })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32602)
})

test('a modern request without _meta at all is 400 + -32602', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await app.inject({
    method: 'POST',
    url: '/mcp',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MODERN, 'mcp-method': 'server/discover' },
    payload: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'server/discover', params: {} })
  })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32602)
})

test('a modern request without _meta clientCapabilities is 400 + -32602', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'server/discover', {}, { meta: { 'io.modelcontextprotocol/protocolVersion': MODERN } })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32602)
})

test('clientCapabilities that are not an object are 400 + -32602', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  for (const capabilities of [null, [], 'all']) {
    const res = await modernRequest(app, 'server/discover', {}, { meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': capabilities } })
    t.equal(res.json().error.code, -32602, JSON.stringify(capabilities))
  }
})

test('MCP-Protocol-Version differing from _meta is 400 + -32020', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'server/discover', {}, { meta: modernMeta({}, { 'io.modelcontextprotocol/protocolVersion': 'v999.0.0' }) })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32020)
})

test('an unsupported version is 400 + -32022 naming the supported and requested versions', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'server/discover', {}, {
    meta: modernMeta({}, { 'io.modelcontextprotocol/protocolVersion': 'v999.0.0' }),
    headers: { 'mcp-protocol-version': 'v999.0.0' }
  })
  t.equal(res.statusCode, 400)
  const error = res.json().error
  t.equal(error.code, -32022)
  t.same(error.data, { supported: SUPPORTED_VERSIONS, requested: 'v999.0.0' })
  t.same(SUPPORTED_VERSIONS, ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'])
})

test('a missing Mcp-Method is 400 + -32020', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/list', {}, { headers: { 'mcp-method': undefined } })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32020)
})

test('an Mcp-Method that differs from the body (values are case-sensitive) is 400 + -32020', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/list', {}, { headers: { 'mcp-method': 'TOOLS/LIST' } })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32020)
})

test('tools/call without Mcp-Name is 400 + -32020', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'echo', arguments: { text: 'hi' } }, { headers: { 'mcp-name': undefined } })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32020)
})

test('resources/read with an Mcp-Name that differs from params.uri is 400 + -32020', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'resources/read', { uri: 'test://a' }, { headers: { 'mcp-name': 'test://b' } })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32020)
})

test('a Base64-encoded Mcp-Name is decoded before it is compared', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const encoded = `=?base64?${Buffer.from('echo').toString('base64')}?=`
  const res = await modernRequest(app, 'tools/call', { name: 'echo', arguments: { text: 'hi' } }, { headers: { 'mcp-name': encoded } })
  t.equal(res.statusCode, 200)
  t.equal(res.json().result.content[0].text, 'hi')
})

test('decodeHeaderValue: literal unless fully wrapped; null for non-canonical Base64', async (t) => {
  t.equal(decodeHeaderValue('plain'), 'plain')
  t.equal(decodeHeaderValue('=?base64?SGVsbG8=?='), 'Hello')
  t.equal(decodeHeaderValue('=?base64?SGVsbG8='), '=?base64?SGVsbG8=', 'no suffix: literal')
  t.equal(decodeHeaderValue('=?base64?SGVsbG8?='), null, 'bad padding')
  t.equal(decodeHeaderValue('=?base64?SGVs!!!bG8=?='), null, 'bad characters')
})

for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe']) {
  test(`${method}, removed in 2026-07-28, is 404 + -32601`, async (t) => {
    const app = await buildApp()
    t.teardown(() => app.close())
    const res = await modernRequest(app, method, {}, { id: 500 })
    t.equal(res.statusCode, 404)
    t.equal(res.json().error.code, -32601)
    t.equal(res.json().id, 500)
  })
}

test('an unknown method is 404 + -32601', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'unknown/method', {}, { id: 601 })
  t.equal(res.statusCode, 404)
  t.same(res.json(), { jsonrpc: '2.0', id: 601, error: { code: -32601, message: 'Method not found: unknown/method' } })
})

test('a modern notification is accepted with 202 and no body', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'notifications/cancelled', { requestId: 3 }, { notification: true })
  t.equal(res.statusCode, 202)
  t.equal(res.body, '')
})

test('a modern notification is validated like a request', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'notifications/cancelled', {}, { notification: true, headers: { 'mcp-method': 'other' } })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32020)
})

test('a modern result is complete, names the server, and no session id is minted or echoed', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'echo', arguments: { text: 'hi' } }, { headers: { 'mcp-session-id': 'not-a-session' } })
  t.equal(res.statusCode, 200)
  const result = res.json().result
  t.equal(result.resultType, 'complete')
  t.same(result._meta['io.modelcontextprotocol/serverInfo'], { name: 'test-server', version: '1.0.0' })
  t.equal(res.headers['mcp-session-id'], undefined)
  t.equal(app.mcpSessions.size, 0)
})

test('a modern request must accept both JSON and SSE (auto mode)', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/list', {}, { headers: { accept: 'application/json' } })
  t.equal(res.statusCode, 406)
})
