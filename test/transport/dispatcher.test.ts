import { test, type Test } from 'tap'
import { Type } from '@sinclair/typebox'
import { buildApp, initSession, post, sessionHeaders, sseMessages, testServer, until } from '../helpers.js'

/** Calls the `ask` tool and waits until its roots/list request to the client is pending. */
async function askingSession (t: Test) {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const call = post(app, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'ask', arguments: {} } }, sessionHeaders(id))
  const session = app.mcpSessions.get(id)!
  await until(() => session.pending.size === 1)
  const [outboundId] = session.pending.keys()
  return { app, id, call, session, outboundId }
}

test('a server-to-client request rides the POST stream and the POSTed answer resolves it', async (t) => {
  const { app, id, call, session, outboundId } = await askingSession(t)
  const answer = await post(app, { jsonrpc: '2.0', id: outboundId, result: { roots: [{ uri: 'file:///x' }] } }, sessionHeaders(id))
  t.equal(answer.statusCode, 202)
  const res = await call
  const messages = sseMessages(res.body)
  t.same(messages[0], { jsonrpc: '2.0', id: outboundId, method: 'roots/list' })
  t.same(JSON.parse(messages[1].result.content[0].text), { roots: [{ uri: 'file:///x' }] })
  t.equal(session.pending.size, 0)
})

test('an error answer from the client rejects the waiting handler', async (t) => {
  const { app, id, call, outboundId } = await askingSession(t)
  await post(app, { jsonrpc: '2.0', id: outboundId, error: { code: -32601, message: 'no roots here' } }, sessionHeaders(id))
  const result = sseMessages((await call).body).at(-1).result
  t.equal(result.isError, true)
  t.equal(result.content[0].text, 'failed: no roots here')
})

test('answers with unknown or string ids are ignored', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  t.equal((await post(app, { jsonrpc: '2.0', id: 12345, result: {} }, sessionHeaders(id))).statusCode, 202)
  t.equal((await post(app, { jsonrpc: '2.0', id: 'abc', result: {} }, sessionHeaders(id))).statusCode, 202)
})

test('a server-to-client request that times out is cancelled with notifications/cancelled', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'ask', arguments: { timeout: 30 } } }, sessionHeaders(id))
  const messages = sseMessages(res.body)
  t.equal(messages[0].method, 'roots/list')
  t.same(messages[1], { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: messages[0].id, reason: 'Timed out after 30 ms' } })
  t.match(messages[2].result.content[0].text, /failed: Request roots\/list timed out after 30 ms/)
  t.equal(app.mcpSessions.get(id)!.pending.size, 0)
})

test('json mode cannot carry server-to-client requests: the handler learns at once', async (t) => {
  const app = await buildApp({ responseMode: 'json' })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'ask', arguments: {} } }, sessionHeaders(id))
  t.match(res.json().result.content[0].text, /failed: Cannot send roots\/list/)
  t.equal(app.mcpSessions.get(id)!.pending.size, 0)
})

test('notifications/cancelled aborts the handler and no response is sent', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const call = post(app, { jsonrpc: '2.0', id: 'long', method: 'tools/call', params: { name: 'wait', arguments: { ms: 10_000 } } }, sessionHeaders(id))
  const session = app.mcpSessions.get(id)!
  await until(() => session.inflight.size === 1)
  const cancel = await post(app, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'long', reason: 'user' } }, sessionHeaders(id))
  t.equal(cancel.statusCode, 202)
  const res = await call
  t.equal(res.headers['content-type'], 'text/event-stream')
  t.same(sseMessages(res.body), [])
  t.equal(session.inflight.size, 0)
})

test('a request answered synchronously is never counted in flight; one still running is', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const session = app.mcpSessions.get(id)!
  const echo = await post(app, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'now' } } }, sessionHeaders(id))
  t.equal(echo.json().result.content[0].text, 'now')
  t.equal(session.inflight.size, 0)
  const call = post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'wait', arguments: { ms: 30 } } }, sessionHeaders(id))
  await until(() => session.inflight.size === 1)
  t.equal((await call).json().result.content[0].text, 'waited')
  t.equal(session.inflight.size, 0)
})

test('a handler that ends its own session before returning is aborted at once', async (t) => {
  const server = testServer()
  let aborted: unknown
  const app = await buildApp({}, server.tool('leave', { input: Type.Object({}) }, (_args, ctx) => {
    app.mcpSessions.close(ctx.session!.id)
    // Never settles on its own: only the abort can end it.
    return new Promise(() => { ctx.signal.addEventListener('abort', () => { aborted = ctx.signal.reason }) })
  }))
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'leave', arguments: {} } }, sessionHeaders(id))
  t.ok(aborted instanceof Error, 'the handler saw its signal abort')
  t.same(sseMessages(res.body), [], 'no response for work the session took with it')
  t.equal(app.mcpSessions.size, 0)
})

test('cancelling an unknown or finished request is harmless', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  t.equal((await post(app, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 404 } }, sessionHeaders(id))).statusCode, 202)
  t.equal((await post(app, { jsonrpc: '2.0', method: 'notifications/cancelled' }, sessionHeaders(id))).statusCode, 202)
})

test('a cancelled handler that was waiting on the client cancels that request too', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const call = post(app, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'ask', arguments: {} } }, sessionHeaders(id))
  const session = app.mcpSessions.get(id)!
  await until(() => session.pending.size === 1)
  await post(app, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3 } }, sessionHeaders(id))
  const messages = sseMessages((await call).body)
  t.equal(messages.length, 2, 'the request, then its cancellation; no response')
  t.equal(messages[1].method, 'notifications/cancelled')
  t.equal(messages[1].params.requestId, messages[0].id)
  t.equal(session.pending.size, 0)
})

test('a server that handles notifications gets them; its failures are logged, not fatal', async (t) => {
  const seen: string[] = []
  const server = {
    handleRequest (req: any) {
      return req.method === 'initialize' ? { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 's', version: '1' } } : {}
    },
    handleNotification (n: any, ctx: any) {
      seen.push(`${n.method}:${ctx.session.id.length > 0}`)
      if (n.method === 'sync/throw') throw new Error('sync failure')
      if (n.method === 'async/throw') return Promise.reject(new Error('async failure'))
    }
  }
  const app = await buildApp({}, server as any)
  t.teardown(() => app.close())
  const id = await initSession(app)
  t.equal((await post(app, { jsonrpc: '2.0', method: 'sync/throw' }, sessionHeaders(id))).statusCode, 202)
  t.equal((await post(app, { jsonrpc: '2.0', method: 'async/throw' }, sessionHeaders(id))).statusCode, 202)
  await new Promise((resolve) => setImmediate(resolve))
  t.same(seen, ['notifications/initialized:true', 'sync/throw:true', 'async/throw:true'])
})

test('a handler error carrying McpError keeps its code and data', async (t) => {
  const { McpError } = await import('../../lib/index.js')
  const server = {
    handleRequest (req: any) {
      if (req.method === 'initialize') return { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 's', version: '1' } }
      throw new McpError(-32602, 'bad thing', { field: 'x' })
    }
  }
  const app = await buildApp({}, server as any)
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 4, method: 'x' }, sessionHeaders(id))
  t.same(res.json(), { jsonrpc: '2.0', id: 4, error: { code: -32602, message: 'bad thing', data: { field: 'x' } } })
})
