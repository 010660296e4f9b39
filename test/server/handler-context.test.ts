// The HandlerContext a tool, resource or prompt handler gets, driven directly.
import { test } from 'tap'
import { handlerContext } from '../../lib/server/server-context.js'
import { createMcpServer } from '../../lib/index.js'
import { fakeContext } from './fake-context.js'

test('the handler context carries every field of the request context', async (t) => {
  const base = fakeContext({ requestId: 'r1', method: 'tools/call', protocolVersion: '2025-06-18', progressToken: 9, clientCapabilities: { roots: {} } })
  const ctx = handlerContext(base)
  t.equal(ctx.requestId, 'r1')
  t.equal(ctx.method, 'tools/call')
  t.equal(ctx.session, undefined)
  t.equal(ctx.protocolVersion, '2025-06-18')
  t.same(ctx.clientCapabilities, { roots: {} })
  t.equal(ctx.signal, base.signal)
  t.equal(ctx.progressToken, 9)
  t.equal(ctx.logger, base.logger)
})

test('notify, request and closeStream go to the request context', async (t) => {
  const asked: unknown[] = []
  let closed = 0
  const base = fakeContext({
    request: async (method, params, options) => { asked.push([method, params, options]); return { ok: true } },
    closeStream: () => { closed++; return true }
  })
  const ctx = handlerContext(base)
  ctx.notify({ method: 'notifications/custom', params: { a: 1 } })
  t.same(base.sent, [{ method: 'notifications/custom', params: { a: 1 } }])
  t.same(await ctx.request('custom/ask', { q: 1 }, { timeout: 5 }), { ok: true })
  t.same(asked, [['custom/ask', { q: 1 }, { timeout: 5 }]])
  t.equal(ctx.closeStream(), true)
  t.equal(closed, 1)
})

test('progress is sent only with a progressToken, only when it increases, with optional total and message', async (t) => {
  const silent = fakeContext()
  handlerContext(silent).progress(1, 2)
  t.same(silent.sent, [], 'no token: nothing is sent')

  const base = fakeContext({ progressToken: 'tok' })
  const ctx = handlerContext(base)
  ctx.progress(0)
  ctx.progress(1, 4)
  ctx.progress(1, 4)
  ctx.progress(0.5)
  ctx.progress(2, 4, 'half')
  t.same(base.sent, [
    { method: 'notifications/progress', params: { progressToken: 'tok', progress: 0 } },
    { method: 'notifications/progress', params: { progressToken: 'tok', progress: 1, total: 4 } },
    { method: 'notifications/progress', params: { progressToken: 'tok', progress: 2, total: 4, message: 'half' } }
  ])
})

test('sample, elicit and listRoots pass their timeout to the outbound request', async (t) => {
  const asked: unknown[] = []
  const answers: Record<string, Record<string, unknown>> = {
    'sampling/createMessage': { role: 'assistant', content: { type: 'text', text: 'x' }, model: 'm' },
    'elicitation/create': { action: 'cancel' },
    'roots/list': { roots: [] }
  }
  const ctx = handlerContext(fakeContext({
    clientCapabilities: { sampling: {}, elicitation: {}, roots: {} },
    request: async (method, params, options) => { asked.push([method, params, options]); return answers[method] }
  }))
  t.equal((await ctx.sample({ messages: [], maxTokens: 1 }, { timeout: 10 })).model, 'm')
  t.equal((await ctx.elicit({ message: 'm' }, { timeout: 20 })).action, 'cancel')
  t.same(await ctx.listRoots({ timeout: 30 }), { roots: [] })
  t.same(asked, [
    ['sampling/createMessage', { messages: [], maxTokens: 1 }, { timeout: 10 }],
    ['elicitation/create', { message: 'm' }, { timeout: 20 }],
    ['roots/list', undefined, { timeout: 30 }]
  ])
})

test('a capability declared as a non-object does not count', async (t) => {
  const ctx = handlerContext(fakeContext({ clientCapabilities: { elicitation: true, sampling: { tools: null }, roots: 'yes' } }))
  await t.rejects(ctx.elicit({ message: 'm' }), { code: -32600, data: { requiredCapability: 'elicitation' } })
  await t.rejects(ctx.elicit({ mode: 'url', message: 'm', url: 'https://example.com' }), { code: -32600 })
  await t.rejects(ctx.sample({ messages: [], maxTokens: 1, tools: [] }), { code: -32600, data: { requiredCapability: 'sampling.tools' } })
  await t.rejects(ctx.listRoots(), { code: -32600, data: { requiredCapability: 'roots' } })
})

test('createMcpServer needs a name and a version', async (t) => {
  for (const options of [undefined, null, {}, { name: 'x' }, { version: '1' }, { name: 1, version: '1' }]) {
    t.throws(() => createMcpServer(options as any), { name: 'TypeError', message: 'createMcpServer({ name, version }) needs a name and a version string' })
  }
})
