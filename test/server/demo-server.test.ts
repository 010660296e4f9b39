// examples/demo-server.ts (what `npm start` serves): its resource and its prompt with arguments.
import { test } from 'tap'
import { createDemoServer } from '../../examples/demo-server.js'
import { connect } from './rpc.js'

test('the demo server offers a text resource', async (t) => {
  const rpc = await connect(t, createDemoServer())
  const list = await rpc.call('resources/list')
  t.same(list.result.resources.map((r: { uri: string }) => r.uri), ['demo://readme'])
  const read = await rpc.call('resources/read', { uri: 'demo://readme' })
  t.equal(read.result.contents[0].mimeType, 'text/plain')
  t.match(read.result.contents[0].text, 'fastify-mcp-transport demo')
})

test('the demo server offers a prompt with arguments, a default and completion', async (t) => {
  const rpc = await connect(t, createDemoServer())
  const list = await rpc.call('prompts/list')
  t.same(list.result.prompts[0].arguments.map((a: { name: string }) => a.name), ['name', 'style'])
  const casual = await rpc.call('prompts/get', { name: 'greeting', arguments: { name: 'Ada' } })
  t.equal(casual.result.messages[0].content.text, 'Write a casual greeting for Ada.')
  const pirate = await rpc.call('prompts/get', { name: 'greeting', arguments: { name: 'Ada', style: 'pirate' } })
  t.equal(pirate.result.messages[0].content.text, 'Write a pirate greeting for Ada.')
  t.equal((await rpc.call('prompts/get', { name: 'greeting', arguments: {} })).error.code, -32602)
  const completion = await rpc.call('completion/complete', { ref: { type: 'ref/prompt', name: 'greeting' }, argument: { name: 'style', value: 'p' } })
  t.same(completion.result.completion.values, ['pirate'])
})
