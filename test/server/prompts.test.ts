import { test } from 'tap'
import { createMcpServer, type McpServer } from '../../lib/index.js'
import { connect } from './rpc.js'

const IMAGE = { type: 'image', data: 'iVBORw==', mimeType: 'image/png' }
const EMBEDDED = { type: 'resource', resource: { uri: 'docs://readme', mimeType: 'text/plain', text: 'Read me' } }

function promptServer (): McpServer {
  const server = createMcpServer({ name: 'prompts', version: '1.0.0' })
  server.prompt('simple', { description: 'No arguments' }, () => 'Say hello.')
  server.prompt('review', {
    title: 'Code review',
    description: 'Review code',
    arguments: [
      { name: 'code', title: 'Code', description: 'The code', required: true },
      { name: 'language', description: 'Its language', complete: () => ['typescript'] }
    ],
    icons: [{ src: 'https://example.com/r.png' }],
    _meta: { team: 'dx' }
  }, ({ code, language = 'unknown' }) => ({
    description: `Review of ${language}`,
    messages: [
      { role: 'user', content: { type: 'text', text: `Review this ${language} code: ${code}` } },
      { role: 'assistant', content: { type: 'text', text: 'Looking.' } }
    ]
  }))
  server.prompt('media', { description: 'Image and embedded resource' }, () => ({
    messages: [{ role: 'user', content: IMAGE }, { role: 'user', content: EMBEDDED }]
  }))
  return server
}

test('prompts/list shows each prompt with its arguments, and no completer', async (t) => {
  const rpc = await connect(t, promptServer())
  const { result } = await rpc.call('prompts/list')
  t.same(result.prompts, [
    { name: 'simple', description: 'No arguments' },
    {
      name: 'review',
      title: 'Code review',
      description: 'Review code',
      arguments: [
        { name: 'code', title: 'Code', description: 'The code', required: true },
        { name: 'language', description: 'Its language' }
      ],
      icons: [{ src: 'https://example.com/r.png' }],
      _meta: { team: 'dx' }
    },
    { name: 'media', description: 'Image and embedded resource' }
  ])
})

test('prompts/get turns a string into one user text message', async (t) => {
  const rpc = await connect(t, promptServer())
  const { result } = await rpc.call('prompts/get', { name: 'simple' })
  t.same(result, { messages: [{ role: 'user', content: { type: 'text', text: 'Say hello.' } }] })
})

test('prompts/get passes the arguments to the handler and returns its messages', async (t) => {
  const rpc = await connect(t, promptServer())
  const { result } = await rpc.call('prompts/get', { name: 'review', arguments: { code: 'x = 1', language: 'python' } })
  t.equal(result.description, 'Review of python')
  t.same(result.messages[0], { role: 'user', content: { type: 'text', text: 'Review this python code: x = 1' } })
  t.equal(result.messages[1].role, 'assistant')
})

test('an optional argument may be left out', async (t) => {
  const rpc = await connect(t, promptServer())
  const { result } = await rpc.call('prompts/get', { name: 'review', arguments: { code: 'x' } })
  t.equal(result.description, 'Review of unknown')
})

test('image and embedded-resource messages pass through', async (t) => {
  const rpc = await connect(t, promptServer())
  const { result } = await rpc.call('prompts/get', { name: 'media' })
  t.same(result.messages, [{ role: 'user', content: IMAGE }, { role: 'user', content: EMBEDDED }])
})

test('a missing required argument is -32602 and the handler does not run', async (t) => {
  let ran = false
  const server = createMcpServer({ name: 'p', version: '1.0.0' })
  server.prompt('two', { arguments: [{ name: 'a', required: true }, { name: 'b', required: true }] }, () => { ran = true; return 'x' })
  const rpc = await connect(t, server)
  t.same((await rpc.call('prompts/get', { name: 'two', arguments: { a: '1' } })).error, { code: -32602, message: 'Missing required argument for prompt two: b' })
  t.same((await rpc.call('prompts/get', { name: 'two' })).error, { code: -32602, message: 'Missing required arguments for prompt two: a, b' })
  t.equal(ran, false)
})

test('a required argument named like an Object.prototype member is still required', async (t) => {
  const server = createMcpServer({ name: 'p', version: '1.0.0' })
  server.prompt('proto', { arguments: [{ name: 'constructor', required: true }] }, () => 'x')
  const rpc = await connect(t, server)
  t.equal((await rpc.call('prompts/get', { name: 'proto', arguments: {} })).error.code, -32602)
})

test('arguments that are not an object of strings are -32602', async (t) => {
  const rpc = await connect(t, promptServer())
  t.same((await rpc.call('prompts/get', { name: 'review', arguments: ['x'] })).error,
    { code: -32602, message: 'Arguments of prompt review must be an object of strings' })
  t.same((await rpc.call('prompts/get', { name: 'review', arguments: { code: 5 } })).error,
    { code: -32602, message: 'Argument code of prompt review must be a string' })
})

test('an unknown prompt is -32602', async (t) => {
  const rpc = await connect(t, promptServer())
  t.same((await rpc.call('prompts/get', { name: 'nope' })).error, { code: -32602, message: 'Unknown prompt: nope' })
})

test('prompt registration refuses bad input', async (t) => {
  const server = promptServer()
  t.throws(() => server.prompt('simple', {}, () => 'x'), { name: 'TypeError', message: 'Prompt "simple" is already registered; remove it first' })
  t.throws(() => server.prompt('', {}, () => 'x'), { message: 'A prompt needs a non-empty name' })
  t.throws(() => server.prompt('f', {}, undefined as any), { message: 'Prompt "f" needs a handler function' })
  t.throws(() => server.prompt('g', { arguments: [{ name: '' }] }, () => 'x'), { message: 'Prompt "g": every argument needs a name' })
  t.throws(() => server.prompt('h', { arguments: [null as any] }, () => 'x'), { message: 'Prompt "h": every argument needs a name' })
  t.throws(() => server.prompt('i', { arguments: [{ name: 'a' }, { name: 'a' }] }, () => 'x'), { message: 'Prompt "i" declares argument "a" twice' })
})

test('removePrompt reports whether it removed something', async (t) => {
  const server = promptServer()
  t.equal(server.removePrompt('simple'), true)
  t.equal(server.removePrompt('simple'), false)
  const rpc = await connect(t, server)
  t.equal((await rpc.call('prompts/get', { name: 'simple' })).error.code, -32602)
})
