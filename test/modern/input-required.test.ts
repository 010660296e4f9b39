// MRTR in the built-in server (2026-07-28 basic/utilities/mrtr, SEP-2322): ctx.elicit,
// ctx.sample and ctx.listRoots answer input_required with a signed requestState; the
// client retries with inputResponses.
import { test } from 'tap'
import { buildApp, initSession, post, sessionHeaders } from '../helpers.js'
import { createMcpServer, type McpServer } from '../../lib/index.js'
import { RequestStateSigner } from '../../lib/modern/request-state.js'
import { modernRequest } from './modern-helpers.js'

const ALL = { elicitation: {}, sampling: {}, roots: {} }

function mrtrServer (options: Parameters<typeof createMcpServer>[0] = { name: 'mrtr', version: '1.0.0' }): McpServer {
  const server = createMcpServer(options)
  server.tool('two_rounds', { description: 'Asks twice' }, async (_args, ctx) => {
    const first = await ctx.elicit({ message: 'Name?' }, { key: 'name' })
    const second = await ctx.elicit({ message: 'Colour?' })
    return `${String(first.content?.name)}:${String(second.content?.color)}`
  })
  server.tool('all_at_once', { description: 'Asks three things at once' }, async (_args, ctx) => {
    const [s, r] = await Promise.all([
      ctx.sample({ messages: [], maxTokens: 5 }),
      ctx.listRoots({ key: 'roots' })
    ])
    return `${s.model}:${r.roots.length}`
  })
  server.prompt('ask_prompt', { description: 'Needs input' }, async (_args, ctx) => {
    const answer = await ctx.elicit({ message: 'Context?' }, { key: 'ctx' })
    return String(answer.content?.text)
  })
  server.resource('asking', 'test://asking', {}, async (_uri, ctx) => {
    const { roots } = await ctx.listRoots({ key: 'roots' })
    return roots.map((root) => root.uri).join(',')
  })
  server.resourceTemplate('tpl', 'test://tpl/{id}', {
    complete: {
      id: async (value, _args, ctx) => {
        if (value === 'ask') await ctx.listRoots()
        return [value]
      }
    }
  }, () => 'tpl')
  return server
}

test('a tool asks twice: input_required, input_required with a new state, then complete', async (t) => {
  const app = await buildApp({}, mrtrServer())
  t.teardown(() => app.close())
  const r1 = (await modernRequest(app, 'tools/call', { name: 'two_rounds', arguments: {} }, { capabilities: ALL })).json().result
  t.equal(r1.resultType, 'input_required')
  t.same(r1.inputRequests, { name: { method: 'elicitation/create', params: { message: 'Name?' } } })
  t.type(r1.requestState, 'string')
  t.ok(r1._meta['io.modelcontextprotocol/serverInfo'], 'input_required names the server too')

  const r2 = (await modernRequest(app, 'tools/call', {
    name: 'two_rounds', arguments: {}, inputResponses: { name: { action: 'accept', content: { name: 'Ada' } } }, requestState: r1.requestState
  }, { capabilities: ALL })).json().result
  t.equal(r2.resultType, 'input_required')
  t.same(Object.keys(r2.inputRequests), ['elicitation/create#0'], 'an unnamed input gets a key from method and call order')
  t.not(r2.requestState, r1.requestState)

  const r3 = (await modernRequest(app, 'tools/call', {
    name: 'two_rounds', arguments: {}, inputResponses: { 'elicitation/create#0': { action: 'accept', content: { color: 'blue' } } }, requestState: r2.requestState
  }, { capabilities: ALL })).json().result
  t.equal(r3.resultType, 'complete')
  t.equal(r3.content[0].text, 'Ada:blue', 'the first answer came back through the signed state')
})

test('inputs asked together are requested together', async (t) => {
  const app = await buildApp({}, mrtrServer())
  t.teardown(() => app.close())
  const r1 = (await modernRequest(app, 'tools/call', { name: 'all_at_once', arguments: {} }, { capabilities: ALL })).json().result
  t.same(Object.keys(r1.inputRequests).sort(), ['roots', 'sampling/createMessage#0'])
  t.same(r1.inputRequests.roots, { method: 'roots/list' })
  const r2 = (await modernRequest(app, 'tools/call', {
    name: 'all_at_once',
    arguments: {},
    inputResponses: { 'sampling/createMessage#0': { role: 'assistant', content: { type: 'text', text: 'x' }, model: 'm' }, roots: { roots: [{ uri: 'file:///a' }] }, extra: { ignored: true } },
    requestState: r1.requestState
  }, { capabilities: ALL })).json().result
  t.equal(r2.content[0].text, 'm:1', 'extra keys are ignored')
})

test('prompts/get and resources/read may answer input_required too', async (t) => {
  const app = await buildApp({}, mrtrServer())
  t.teardown(() => app.close())
  const prompt = (await modernRequest(app, 'prompts/get', { name: 'ask_prompt' }, { capabilities: ALL })).json().result
  t.equal(prompt.resultType, 'input_required')
  const done = (await modernRequest(app, 'prompts/get', { name: 'ask_prompt', inputResponses: { ctx: { action: 'accept', content: { text: 'hi' } } }, requestState: prompt.requestState }, { capabilities: ALL })).json().result
  t.equal(done.messages[0].content.text, 'hi')
  const read = (await modernRequest(app, 'resources/read', { uri: 'test://asking' }, { capabilities: ALL })).json().result
  t.equal(read.resultType, 'input_required')
  t.same(read.inputRequests, { roots: { method: 'roots/list' } })
})

test('a tampered, foreign or malformed requestState is -32602', async (t) => {
  const app = await buildApp({}, mrtrServer())
  t.teardown(() => app.close())
  const r1 = (await modernRequest(app, 'tools/call', { name: 'two_rounds', arguments: {} }, { capabilities: ALL })).json().result
  const foreign = new RequestStateSigner('another key').seal({ scope: 'tools/call two_rounds', responses: {} })
  for (const requestState of [`${r1.requestState as string}-TAMPERED`, foreign, 'no-dot', 42]) {
    const res = await modernRequest(app, 'tools/call', { name: 'two_rounds', arguments: {}, inputResponses: {}, requestState }, { capabilities: ALL })
    t.equal(res.json().error.code, -32602, String(requestState))
  }
  const other = await modernRequest(app, 'prompts/get', { name: 'ask_prompt', requestState: r1.requestState }, { capabilities: ALL })
  t.equal(other.json().error.code, -32602, 'a state bound to another request is refused')
})

test('inputResponses that are not objects are -32602', async (t) => {
  const app = await buildApp({}, mrtrServer())
  t.teardown(() => app.close())
  const notAnObject = await modernRequest(app, 'tools/call', { name: 'two_rounds', arguments: {}, inputResponses: null }, { capabilities: ALL })
  t.equal(notAnObject.json().error.code, -32602)
  const badEntry = await modernRequest(app, 'tools/call', { name: 'two_rounds', arguments: {}, inputResponses: { name: 12345 } }, { capabilities: ALL })
  t.equal(badEntry.json().error.code, -32602)
})

test('a missing answer is asked for again', async (t) => {
  const app = await buildApp({}, mrtrServer())
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'two_rounds', arguments: {}, inputResponses: { wrong: { action: 'accept' } } }, { capabilities: ALL })
  t.equal(res.json().result.resultType, 'input_required')
})

test('a state older than requestStateTtl is refused', async (t) => {
  const app = await buildApp({}, mrtrServer({ name: 'mrtr', version: '1', requestStateKey: 'k', requestStateTtl: 1000 }))
  t.teardown(() => app.close())
  const old = new RequestStateSigner('k', 1000).seal({ scope: 'tools/call two_rounds', responses: {} }, Date.now() - 5000)
  const res = await modernRequest(app, 'tools/call', { name: 'two_rounds', arguments: {}, requestState: old }, { capabilities: ALL })
  t.equal(res.json().error.code, -32602)
  const fresh = new RequestStateSigner('k', 1000).seal({ scope: 'tools/call two_rounds', responses: { name: { action: 'decline' } } })
  const ok = await modernRequest(app, 'tools/call', { name: 'two_rounds', arguments: {}, requestState: fresh }, { capabilities: ALL })
  t.same(Object.keys(ok.json().result.inputRequests), ['elicitation/create#0'], 'a shared key lets another instance continue the request')
})

test('a handler of another method cannot ask the client for input', async (t) => {
  const app = await buildApp({}, mrtrServer())
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'completion/complete', { ref: { type: 'ref/resource', uri: 'test://tpl/{id}' }, argument: { name: 'id', value: 'ask' } }, { capabilities: ALL })
  t.equal(res.json().error.code, -32600)
  t.match(res.json().error.message, /only tools\/call, prompts\/get and resources\/read may return input_required/)
})

test('in the legacy era the same handler sends a real request on its stream (no MRTR)', async (t) => {
  const app = await buildApp({}, mrtrServer())
  t.teardown(() => app.close())
  const session = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'two_rounds', arguments: {} } }, sessionHeaders(session), { payloadAsStream: true })
  const stream = res.stream()
  const first = await new Promise<string>((resolve) => stream.once('data', (chunk: Buffer) => resolve(chunk.toString())))
  stream.destroy()
  t.match(first, /"method":"elicitation\/create"/, 'the legacy session gets a server-to-client request')
})
