// How a modern request is answered: JSON, or an SSE stream of related notifications then
// the result (no event ids: no resumability in 2026-07-28); never a server-to-client
// request; closing the stream cancels the request (T-0728 §Receiving Messages, §Cancellation).
import { test } from 'tap'
import { request as httpRequest } from 'node:http'
import { Type } from '@sinclair/typebox'
import { buildApp, parseSse, sseMessages, testServer } from '../helpers.js'
import { modernHeaders, modernMeta, modernRequest } from './modern-helpers.js'

test('a handler that reports progress turns the answer into an SSE stream without event ids', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'progress', arguments: { steps: 2 } }, {
    meta: modernMeta({}, { progressToken: 'p1' })
  })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/event-stream/)
  t.ok(parseSse(res.body).every((event) => event.id === undefined), 'no event ids')
  const messages = sseMessages(res.body)
  t.same(messages.map((m) => m.method ?? 'result'), ['notifications/progress', 'notifications/progress', 'result'])
  t.equal(messages[2].result.resultType, 'complete')
})

test('responseMode json keeps the answer JSON and drops the notifications', async (t) => {
  const app = await buildApp({ responseMode: 'json' })
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'progress', arguments: { steps: 2 } }, {
    meta: modernMeta({}, { progressToken: 'p1' }),
    headers: { accept: 'application/json' }
  })
  t.equal(res.statusCode, 200)
  t.equal(res.json().result.content[0].text, 'done')
})

test('responseMode sse streams even a plain answer, and errors keep their JSON-RPC body', async (t) => {
  const app = await buildApp({ responseMode: 'sse' })
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'echo', arguments: { text: 'hi' } }, { headers: { accept: 'text/event-stream' } })
  t.match(res.headers['content-type'], /text\/event-stream/)
  t.equal(sseMessages(res.body)[0].result.content[0].text, 'hi')
})

test('ctx.request fails in the modern era: no independent requests on a response stream', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'ask', arguments: {} })
  t.equal(res.statusCode, 200)
  const result = res.json().result
  t.equal(result.isError, true)
  t.match(result.content[0].text, /has no server-to-client requests; return an input_required result/)
})

test('a request message on the modern channel is never sent', async (t) => {
  const server = testServer()
  server.tool('raw', { description: 'Tries to notify a request-shaped message' }, (_args, ctx) => {
    ctx.notify({ method: 'notifications/message', params: { level: 'info', data: 'before' } })
    ;(ctx.notify as (m: unknown) => void)({ id: 9, method: 'roots/list' })
    return 'sent'
  })
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'raw', arguments: {} })
  const messages = sseMessages(res.body)
  t.same(messages.map((m) => m.method ?? 'result'), ['notifications/message', 'result'], 'the request-shaped message was dropped')
})

test('an undeclared capability is 400 + -32021 with requiredCapabilities', async (t) => {
  const server = testServer()
  server.tool('needs_sampling', { description: 'Samples' }, async (_args, ctx) => {
    await ctx.sample({ messages: [], maxTokens: 1, tools: [] })
    return 'never'
  })
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'needs_sampling', arguments: {} }, { capabilities: { elicitation: {} } })
  t.equal(res.statusCode, 400)
  const error = res.json().error
  t.equal(error.code, -32021)
  t.same(error.data, { requiredCapabilities: { sampling: { tools: {} } } })
})

test('a declared parent with a missing sub-capability names only the sub-capability', async (t) => {
  const server = testServer()
  server.tool('needs_tools', { description: 'Samples with tools' }, async (_args, ctx) => {
    await ctx.sample({ messages: [], maxTokens: 1, tools: [] })
    return 'never'
  })
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'needs_tools', arguments: {} }, { capabilities: { sampling: {} } })
  t.same(res.json().error.data, { requiredCapabilities: { sampling: { tools: {} } } })
})

test('while the app closes a modern request gets 503', async (t) => {
  const server = testServer()
  const app = await buildApp({ shutdownTimeout: 2000 }, server)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'wait', arguments: { ms: 300 }, _meta: modernMeta() } })
  const pending = fetch(`http://127.0.0.1:${port}/mcp`, { method: 'POST', headers: modernHeaders('tools/call', { name: 'wait' }), body })
  await new Promise((resolve) => setTimeout(resolve, 100))
  const closing = app.close()
  const late = await modernRequest(app, 'tools/list')
  t.equal(late.statusCode, 503)
  const first = await pending
  t.equal((await first.json()).result.content[0].text, 'waited', 'the in-flight request was drained')
  await closing
})

test('app.close() aborts a modern request that outlives shutdownTimeout', async (t) => {
  const server = testServer()
  let aborted = false
  server.tool('stuck', { description: 'Waits for its signal' }, (_args, ctx) => new Promise((resolve) => {
    ctx.signal.addEventListener('abort', () => { aborted = true; resolve('aborted') })
  }))
  const app = await buildApp({ shutdownTimeout: 50 }, server)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'stuck', arguments: {}, _meta: modernMeta() } })
  const pending = fetch(`http://127.0.0.1:${port}/mcp`, { method: 'POST', headers: modernHeaders('tools/call', { name: 'stuck' }), body }).catch(() => null)
  await new Promise((resolve) => setTimeout(resolve, 100))
  await app.close()
  t.ok(aborted, 'the handler signal was aborted')
  await pending
})

test('closing the SSE response stream cancels the request', async (t) => {
  const server = testServer()
  let aborted: () => void
  const wasAborted = new Promise<void>((resolve) => { aborted = resolve })
  server.tool('streaming', { description: 'Logs, then waits for cancellation', input: Type.Object({}) }, (_args, ctx) => new Promise((resolve) => {
    ctx.notify({ method: 'notifications/message', params: { level: 'info', data: 'started' } })
    ctx.signal.addEventListener('abort', () => { aborted(); resolve('aborted') })
  }))
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'streaming', arguments: {}, _meta: modernMeta() } })
  const req = httpRequest({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: modernHeaders('tools/call', { name: 'streaming' }) })
  req.on('response', (res) => {
    res.once('data', () => req.destroy())
  })
  req.on('error', () => {})
  req.end(body)
  await wasAborted
  t.pass('the handler saw its signal abort when the client closed the stream')
})

test('ctx.closeStream() is false in the modern era: its streams are not resumable', async (t) => {
  const server = testServer()
  server.tool('close_stream', { description: 'Tries to close its stream' }, (_args, ctx) => `closed: ${String(ctx.closeStream())}`)
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'close_stream', arguments: {} })
  t.equal(res.json().result.content[0].text, 'closed: false')
})
