// completion/complete for prompt arguments and resource template variables
// (2025-11-25 server/utilities/completion).
import { test } from 'tap'
import { createMcpServer, type McpServer } from '../../lib/index.js'
import { connect } from './rpc.js'

const LANGUAGES = ['python', 'perl', 'php', 'typescript']

function completingServer (): McpServer {
  const server = createMcpServer({ name: 'complete', version: '1.0.0' })
  server.prompt('review', {
    arguments: [
      { name: 'language', complete: (value) => LANGUAGES.filter((l) => l.startsWith(value)) },
      { name: 'framework', complete: async (value, args) => [`${args.language ?? 'any'}:${value}`] },
      { name: 'code' }
    ]
  }, () => 'x')
  server.resourceTemplate('repo', 'github://{owner}/{repo}', {
    complete: {
      owner: (value) => ['fastify', 'fastify-org'].filter((o) => o.startsWith(value)),
      repo: (_value, args) => args.owner === 'fastify' ? ['fastify', 'sse'] : []
    }
  }, () => 'x')
  server.resource('static', 'docs://static', {}, () => 'x')
  return server
}

const prompt = (name: string, value: string, context?: Record<string, unknown>) => ({
  ref: { type: 'ref/prompt', name: 'review' }, argument: { name, value }, ...(context === undefined ? {} : { context })
})

test('a prompt argument completes from its completer, with total and hasMore', async (t) => {
  const rpc = await connect(t, completingServer())
  const { result } = await rpc.call('completion/complete', prompt('language', 'p'))
  t.same(result, { completion: { values: ['python', 'perl', 'php'], total: 3, hasMore: false } })
})

test('the completer sees the arguments already resolved (context.arguments)', async (t) => {
  const rpc = await connect(t, completingServer())
  const { result } = await rpc.call('completion/complete', prompt('framework', 'dj', { arguments: { language: 'python', ignored: 3 } }))
  t.same(result.completion.values, ['python:dj'])
  const bare = await rpc.call('completion/complete', prompt('framework', 'x', { arguments: null }))
  t.same(bare.result.completion.values, ['any:x'], 'a missing or malformed context is an empty one')
})

test('an argument without a completer completes to nothing', async (t) => {
  const rpc = await connect(t, completingServer())
  t.same((await rpc.call('completion/complete', prompt('code', 'x'))).result, { completion: { values: [] } })
  t.same((await rpc.call('completion/complete', prompt('unknown', 'x'))).result, { completion: { values: [] } })
})

test('a resource template variable completes, with the other variables as context', async (t) => {
  const rpc = await connect(t, completingServer())
  const ref = { type: 'ref/resource', uri: 'github://{owner}/{repo}' }
  t.same((await rpc.call('completion/complete', { ref, argument: { name: 'owner', value: 'fa' } })).result.completion.values, ['fastify', 'fastify-org'])
  const { result } = await rpc.call('completion/complete', { ref, argument: { name: 'repo', value: '' }, context: { arguments: { owner: 'fastify' } } })
  t.same(result.completion.values, ['fastify', 'sse'])
})

test('a static resource reference is valid and completes to nothing', async (t) => {
  const rpc = await connect(t, completingServer())
  const { result } = await rpc.call('completion/complete', { ref: { type: 'ref/resource', uri: 'docs://static' }, argument: { name: 'x', value: '' } })
  t.same(result, { completion: { values: [] } })
})

test('at most 100 values are returned; total and hasMore tell the rest', async (t) => {
  const server = createMcpServer({ name: 'many', version: '1.0.0' })
  server.prompt('many', { arguments: [{ name: 'n', complete: () => Array.from({ length: 250 }, (_, i) => String(i)) }] }, () => 'x')
  const rpc = await connect(t, server)
  const { result } = await rpc.call('completion/complete', { ref: { type: 'ref/prompt', name: 'many' }, argument: { name: 'n', value: '' } })
  t.equal(result.completion.values.length, 100)
  t.equal(result.completion.values[99], '99')
  t.equal(result.completion.total, 250)
  t.equal(result.completion.hasMore, true)
})

test('unknown references and malformed requests are -32602', async (t) => {
  const rpc = await connect(t, completingServer())
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ref: { type: 'ref/prompt', name: 'nope' }, argument: { name: 'a', value: '' } }, 'Unknown prompt: nope'],
    [{ ref: { type: 'ref/resource', uri: 'nope://{x}' }, argument: { name: 'x', value: '' } }, 'Unknown resource template: nope://{x}'],
    [{ ref: { type: 'ref/tool', name: 'x' }, argument: { name: 'a', value: '' } }, 'Unsupported completion reference: {"type":"ref/tool","name":"x"}'],
    [{ ref: { type: 'ref/prompt' }, argument: { name: 'a', value: '' } }, 'Unsupported completion reference: {"type":"ref/prompt"}'],
    [{ argument: { name: 'a', value: '' } }, 'completion/complete needs a ref: { type: "ref/prompt", name } or { type: "ref/resource", uri }'],
    [{ ref: null, argument: { name: 'a', value: '' } }, 'completion/complete needs a ref: { type: "ref/prompt", name } or { type: "ref/resource", uri }'],
    [{ ref: { type: 'ref/prompt', name: 'review' } }, 'completion/complete needs argument: { name, value } with string name and value'],
    [{ ref: { type: 'ref/prompt', name: 'review' }, argument: null }, 'completion/complete needs argument: { name, value } with string name and value'],
    [{ ref: { type: 'ref/prompt', name: 'review' }, argument: { name: 'a' } }, 'completion/complete needs argument: { name, value } with string name and value'],
    [{ ref: { type: 'ref/prompt', name: 'review' }, argument: { name: 1, value: '' } }, 'completion/complete needs argument: { name, value } with string name and value']
  ]
  for (const [params, message] of cases) {
    t.same((await rpc.call('completion/complete', params)).error, { code: -32602, message }, message)
  }
})
