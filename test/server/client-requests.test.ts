// ctx.sample / ctx.elicit / ctx.listRoots: the server-to-client request goes out on the
// POST's SSE stream, the client's answer (POSTed separately) resolves the waiting handler.
import { test } from 'tap'
import { buildApp } from '../helpers.js'
import { createMcpServer, type McpServer } from '../../lib/index.js'
import { HttpSession, SseReader, listen } from './http-client.js'

interface Ask { kind: 'sample' | 'elicit' | 'roots', params?: any, timeout?: number }

function askingServer (): McpServer {
  const server = createMcpServer({ name: 'asking', version: '1.0.0' })
  server.tool('ask', { description: 'Asks the client', input: { type: 'object', properties: { kind: { type: 'string' } }, required: ['kind'] } },
    async ({ kind, params, timeout }: Ask, ctx) => {
      const options = timeout === undefined ? undefined : { timeout }
      const result = kind === 'sample'
        ? await ctx.sample(params, options)
        : kind === 'elicit' ? await ctx.elicit(params, options) : await ctx.listRoots(options)
      return { content: [{ type: 'text', text: JSON.stringify(result) }] }
    })
  return server
}

const SAMPLE = { messages: [{ role: 'user', content: { type: 'text', text: 'Hello?' } }], maxTokens: 20 }
const ELICIT = { message: 'Your name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } }

async function setup (t: any, capabilities: Record<string, unknown>): Promise<HttpSession> {
  const url = await listen(t, await buildApp({}, askingServer()))
  return HttpSession.open(url, capabilities)
}

async function call (session: HttpSession, ask: Ask): Promise<Response> {
  return session.post({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'ask', arguments: ask } })
}

test('ctx.sample sends sampling/createMessage on the POST stream and resolves with the POSTed answer', async (t) => {
  const session = await setup(t, { sampling: {} })
  const stream = new SseReader(await call(session, { kind: 'sample', params: SAMPLE }))
  const request = await stream.next()
  t.equal(request.method, 'sampling/createMessage')
  t.same(request.params, SAMPLE)
  t.type(request.id, 'number')
  const answer = await session.post({ jsonrpc: '2.0', id: request.id, result: { role: 'assistant', content: { type: 'text', text: 'Hi!' }, model: 'test-model' } })
  t.equal(answer.status, 202, 'the client answer is accepted on its own POST')
  const response = await stream.next()
  t.equal(response.id, 7)
  t.same(JSON.parse(response.result.content[0].text), { role: 'assistant', content: { type: 'text', text: 'Hi!' }, model: 'test-model' })
  t.ok(await stream.ended(), 'the stream ends after the response')
})

test('ctx.elicit sends elicitation/create and resolves with the action', async (t) => {
  const session = await setup(t, { elicitation: {} })
  const stream = new SseReader(await call(session, { kind: 'elicit', params: ELICIT }))
  const request = await stream.next()
  t.equal(request.method, 'elicitation/create')
  t.same(request.params, ELICIT)
  await session.post({ jsonrpc: '2.0', id: request.id, result: { action: 'accept', content: { name: 'Ada' } } })
  const response = await stream.next()
  t.same(JSON.parse(response.result.content[0].text), { action: 'accept', content: { name: 'Ada' } })
})

test('ctx.listRoots sends roots/list without params and resolves with the roots', async (t) => {
  const session = await setup(t, { roots: { listChanged: true } })
  const stream = new SseReader(await call(session, { kind: 'roots' }))
  const request = await stream.next()
  t.equal(request.method, 'roots/list')
  t.notOk('params' in request, 'roots/list carries no params')
  await session.post({ jsonrpc: '2.0', id: request.id, result: { roots: [{ uri: 'file:///work', name: 'work' }] } })
  const response = await stream.next()
  t.same(JSON.parse(response.result.content[0].text), { roots: [{ uri: 'file:///work', name: 'work' }] })
})

test('a server-to-client request that times out sends notifications/cancelled, then the call fails with -32001', async (t) => {
  const session = await setup(t, { sampling: {} })
  const stream = new SseReader(await call(session, { kind: 'sample', params: SAMPLE, timeout: 50 }))
  const request = await stream.next()
  t.equal(request.method, 'sampling/createMessage')
  const cancelled = await stream.next()
  t.equal(cancelled.method, 'notifications/cancelled')
  t.equal(cancelled.params.requestId, request.id, 'the cancellation names the request that timed out')
  const response = await stream.next()
  t.equal(response.id, 7)
  t.equal(response.error.code, -32001)
  t.match(response.error.message, /timed out after 50 ms/)
  const late = await session.post({ jsonrpc: '2.0', id: request.id, result: { role: 'assistant', content: { type: 'text', text: 'late' }, model: 'm' } })
  t.equal(late.status, 202, 'a late answer is accepted and ignored')
})

test('an error answer from the client reaches the handler as McpError with its code', async (t) => {
  const session = await setup(t, { elicitation: {} })
  const stream = new SseReader(await call(session, { kind: 'elicit', params: ELICIT }))
  const request = await stream.next()
  await session.post({ jsonrpc: '2.0', id: request.id, error: { code: -1, message: 'User rejected sampling request' } })
  const response = await stream.next()
  t.same(response.error, { code: -1, message: 'User rejected sampling request' })
})

for (const [name, capabilities, ask, missing] of [
  ['sampling', {}, { kind: 'sample', params: SAMPLE }, 'sampling'],
  ['sampling with tools', { sampling: {} }, { kind: 'sample', params: { ...SAMPLE, tools: [{ name: 't', inputSchema: { type: 'object' } }] } }, 'sampling.tools'],
  ['sampling with includeContext', { sampling: {} }, { kind: 'sample', params: { ...SAMPLE, includeContext: 'thisServer' } }, 'sampling.context'],
  ['elicitation', { sampling: {} }, { kind: 'elicit', params: ELICIT }, 'elicitation'],
  ['URL elicitation', { elicitation: { form: {} } }, { kind: 'elicit', params: { mode: 'url', message: 'Sign in', url: 'https://example.com/login', elicitationId: 'e1' } }, 'elicitation.url'],
  ['roots', { elicitation: {} }, { kind: 'roots' }, 'roots']
] as Array<[string, Record<string, unknown>, Ask, string]>) {
  test(`${name} without the client capability fails before anything is sent`, async (t) => {
    const session = await setup(t, capabilities)
    const res = await call(session, ask)
    t.equal(res.headers.get('content-type'), 'application/json; charset=utf-8', 'nothing was streamed: the answer is plain JSON')
    const body = await res.json()
    t.equal(body.error.code, -32600)
    t.match(body.error.message, `did not declare the ${missing} capability`)
    t.equal(body.error.data.requiredCapability, missing)
  })
}

test('sampling with tools and includeContext is sent when the client declared both', async (t) => {
  const session = await setup(t, { sampling: { tools: {}, context: {} } })
  const params = { ...SAMPLE, tools: [{ name: 't', inputSchema: { type: 'object' } }], includeContext: 'thisServer' }
  const stream = new SseReader(await call(session, { kind: 'sample', params }))
  const request = await stream.next()
  t.same(request.params, params)
  await session.post({ jsonrpc: '2.0', id: request.id, result: { role: 'assistant', content: { type: 'text', text: 'ok' }, model: 'm', stopReason: 'endTurn' } })
  t.equal((await stream.next()).id, 7, 'the call completes')
})

test('URL elicitation is sent when the client declared elicitation.url', async (t) => {
  const session = await setup(t, { elicitation: { url: {} } })
  const params = { mode: 'url', message: 'Sign in', url: 'https://example.com/login', elicitationId: 'e1' }
  const stream = new SseReader(await call(session, { kind: 'elicit', params }))
  const request = await stream.next()
  t.same(request.params, params)
  await session.post({ jsonrpc: '2.0', id: request.id, result: { action: 'decline' } })
  t.same(JSON.parse((await stream.next()).result.content[0].text), { action: 'decline' })
})

for (const [kind, capabilities, answer] of [
  ['sample', { sampling: {} }, { role: 'assistant', content: { type: 'text', text: 'no model' } }],
  ['elicit', { elicitation: {} }, { action: 'maybe' }],
  ['roots', { roots: {} }, { roots: 'file:///' }]
] as Array<[Ask['kind'], Record<string, unknown>, Record<string, unknown>]>) {
  test(`an invalid ${kind} answer from the client is an error, not a crash`, async (t) => {
    const session = await setup(t, capabilities)
    const stream = new SseReader(await call(session, { kind, params: kind === 'sample' ? SAMPLE : ELICIT }))
    const request = await stream.next()
    await session.post({ jsonrpc: '2.0', id: request.id, result: answer })
    const response = await stream.next()
    t.equal(response.error.code, -32603)
    t.match(response.error.message, `answered ${request.method} with an invalid result`)
  })
}
