// tools/list and tools/call of the built-in server: names, argument validation per protocol
// version, and how a failing tool is reported (2025-11-25 server/tools).
import { test } from 'tap'
import { buildApp, initSession, post, sessionHeaders } from '../helpers.js'
import { McpError, createMcpServer, type McpServer } from '../../lib/index.js'
import { connect } from './rpc.js'

function toolServer (): McpServer {
  const server = createMcpServer({ name: 'tools', version: '1.0.0' })
  server.tool('needs-n', { input: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } }, ({ n }: { n: number }) => String(n))
  server.tool('protocol-error', {}, () => { throw new McpError(-32042, 'Sign in first', { url: 'https://example.com' }) })
  server.tool('throws-error', {}, () => { throw new Error('disk full') })
  server.tool('throws-string', {}, () => { throw 'plain string' }) // eslint-disable-line no-throw-literal
  server.tool('full-result', {}, () => ({ content: [{ type: 'text', text: 'x' }], structuredContent: { x: 1 } }))
  return server
}

test('tool names outside the allowed characters or lengths are refused', async (t) => {
  const server = createMcpServer({ name: 'names', version: '1.0.0' })
  for (const name of ['', 'has space', 'ümlaut', 'x'.repeat(129)]) {
    t.throws(() => server.tool(name, {}, () => 'x'), { name: 'TypeError', message: /is invalid: use 1-128 characters/ }, JSON.stringify(name))
  }
  server.tool('a.b/c-d_e', {}, () => 'x')
  t.throws(() => server.tool('a.b/c-d_e', {}, () => 'x'), { message: 'Tool "a.b/c-d_e" is already registered; remove it first' })
  t.throws(() => server.tool('no-handler', {}, 'x' as any), { message: 'Tool "no-handler" needs a handler function' })
})

test('invalid arguments are a tool error at 2025-11-25 (SEP-1303)', async (t) => {
  const rpc = await connect(t, toolServer())
  const { result } = await rpc.call('tools/call', { name: 'needs-n', arguments: { n: 'one' } })
  t.same(result, { content: [{ type: 'text', text: 'Invalid arguments for tool needs-n: arguments/n must be integer' }], isError: true })
})

test('invalid arguments are -32602 before 2025-11-25', async (t) => {
  const app = await buildApp({}, toolServer())
  t.teardown(() => app.close())
  const session = await initSession(app, '2025-06-18')
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'needs-n', arguments: {} } }, sessionHeaders(session, '2025-06-18'))
  t.same(res.json().error, {
    code: -32602,
    message: "Invalid arguments for tool needs-n: arguments must have required property 'n'",
    data: { errors: ["arguments must have required property 'n'"] }
  })
})

test('an unknown or unnamed tool is -32602', async (t) => {
  const rpc = await connect(t, toolServer())
  t.same((await rpc.call('tools/call', { name: 'ghost' })).error, { code: -32602, message: 'Unknown tool: ghost' })
  t.same((await rpc.call('tools/call', {})).error, { code: -32602, message: 'Unknown tool: undefined' })
})

test('a tool that throws McpError answers with that JSON-RPC error', async (t) => {
  const rpc = await connect(t, toolServer())
  t.same((await rpc.call('tools/call', { name: 'protocol-error' })).error, { code: -32042, message: 'Sign in first', data: { url: 'https://example.com' } })
})

test('a tool that throws anything else is a tool error with its text', async (t) => {
  const rpc = await connect(t, toolServer())
  t.same((await rpc.call('tools/call', { name: 'throws-error' })).result, { content: [{ type: 'text', text: 'disk full' }], isError: true })
  t.same((await rpc.call('tools/call', { name: 'throws-string' })).result, { content: [{ type: 'text', text: 'plain string' }], isError: true })
})

test('a full result passes through untouched', async (t) => {
  const rpc = await connect(t, toolServer())
  t.same((await rpc.call('tools/call', { name: 'full-result' })).result, { content: [{ type: 'text', text: 'x' }], structuredContent: { x: 1 } })
})

test('a template without completers completes to nothing, and prompts/get needs a string name', async (t) => {
  const server = createMcpServer({ name: 'misc', version: '1.0.0' })
  server.resourceTemplate('plain', 'x://{id}', {}, () => 'x')
  server.prompt('p', { arguments: [{ name: 'a', complete: () => ['b'] }] }, () => 'x')
  const rpc = await connect(t, server)
  t.same((await rpc.call('completion/complete', { ref: { type: 'ref/resource', uri: 'x://{id}' }, argument: { name: 'id', value: '' } })).result,
    { completion: { values: [] } })
  t.same((await rpc.call('prompts/get', { name: 7 })).error, { code: -32602, message: 'Unknown prompt: 7' })
})
