// Capabilities follow from what is registered (never hand-written), and the methods of a
// capability the server lacks do not exist for the client (-32601).
import { test } from 'tap'
import { buildApp, initializeBody, post } from '../helpers.js'
import { createMcpServer, type McpServer } from '../../lib/index.js'
import { connect } from './rpc.js'

async function initialized (t: any, server: McpServer): Promise<any> {
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  return (await post(app, initializeBody())).json().result
}

test('an empty server declares logging only', async (t) => {
  const result = await initialized(t, createMcpServer({ name: 'empty', version: '1.0.0' }))
  t.same(result.capabilities, { logging: {} })
})

test('each kind of registration adds its capability', async (t) => {
  const server = createMcpServer({ name: 'full', version: '2.0.0', title: 'Full', instructions: 'Use it well' })
  server.tool('t', {}, () => 'x')
  server.resource('r', 'x://r', {}, () => 'x')
  server.prompt('p', {}, () => 'x')
  const result = await initialized(t, server)
  t.same(result.capabilities, {
    logging: {},
    tools: { listChanged: true },
    resources: { subscribe: true, listChanged: true },
    prompts: { listChanged: true }
  })
  t.same(result.serverInfo, { name: 'full', version: '2.0.0', title: 'Full' })
  t.equal(result.instructions, 'Use it well')
})

test('a resource template alone declares resources', async (t) => {
  const server = createMcpServer({ name: 'templates', version: '1.0.0' })
  server.resourceTemplate('t', 'x://{id}', {}, () => 'x')
  t.same(server.capabilities(), { logging: {}, resources: { subscribe: true, listChanged: true } })
})

test('completions is declared while a completer exists, and dropped with the last one', async (t) => {
  const server = createMcpServer({ name: 'c', version: '1.0.0' })
  server.prompt('plain', { arguments: [{ name: 'a' }] }, () => 'x')
  t.notOk('completions' in server.capabilities(), 'an argument without a completer does not count')
  server.prompt('p', { arguments: [{ name: 'a', complete: () => [] }] }, () => 'x')
  server.resourceTemplate('t', 'x://{id}', { complete: { id: () => [] } }, () => 'x')
  server.resourceTemplate('u', 'y://{id}', {}, () => 'x')
  t.same(server.capabilities().completions, {})
  server.removePrompt('p')
  t.same(server.capabilities().completions, {}, 'the template still completes')
  server.removeResourceTemplate('x://{id}')
  server.removeResourceTemplate('y://{id}')
  server.removePrompt('plain')
  t.same(server.capabilities(), { logging: {} })
})

test('methods of an absent capability are -32601', async (t) => {
  const rpc = await connect(t, createMcpServer({ name: 'empty', version: '1.0.0' }))
  for (const method of ['tools/list', 'tools/call', 'resources/list', 'resources/templates/list', 'resources/read', 'resources/subscribe', 'resources/unsubscribe', 'prompts/list', 'prompts/get', 'completion/complete']) {
    t.same((await rpc.call(method, {})).error, { code: -32601, message: `Method not found: ${method}` }, method)
  }
  t.same((await rpc.call('ping')).result, {}, 'ping always exists')
})
