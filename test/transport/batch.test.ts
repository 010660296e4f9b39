import { test } from 'tap'
import { buildApp, initSession, post, sessionHeaders, sseMessages } from '../helpers.js'

const V0326 = '2025-03-26'

test('2025-03-26 sessions accept a batch of requests and get an array of responses', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app, V0326)
  const res = await post(app, [
    { jsonrpc: '2.0', id: 1, method: 'ping' },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } }
  ], sessionHeaders(id, V0326))
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.ok(Array.isArray(body))
  t.same(body.map((r: any) => r.id).sort(), [1, 2])
  t.equal(body.find((r: any) => r.id === 2).result.content[0].text, 'hi')
})

test('a batch of only notifications and responses gets 202', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app, V0326)
  const res = await post(app, [
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 5, result: {} }
  ], sessionHeaders(id, V0326))
  t.equal(res.statusCode, 202)
  t.equal(res.body, '')
})

test('a batch streams over SSE when one of its requests sends progress', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app, V0326)
  const res = await post(app, [
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'progress', arguments: { steps: 1 }, _meta: { progressToken: 'b' } } },
    { jsonrpc: '2.0', id: 2, method: 'ping' }
  ], sessionHeaders(id, V0326))
  t.equal(res.headers['content-type'], 'text/event-stream')
  const messages = sseMessages(res.body)
  t.same(messages.filter((m) => 'id' in m).map((m) => m.id).sort(), [1, 2], 'both responses before the stream ends')
  t.equal(messages.filter((m) => m.method === 'notifications/progress').length, 1)
})

test('batches are refused for sessions at 2025-06-18 and later', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  for (const version of ['2025-06-18', '2025-11-25']) {
    const id = await initSession(app, version)
    const res = await post(app, [{ jsonrpc: '2.0', id: 1, method: 'ping' }], sessionHeaders(id, version))
    t.equal(res.statusCode, 400, version)
    t.equal(res.json().error.code, -32600)
    t.match(res.json().error.message, /batches are not part of protocol version/)
  }
})

test('initialize must not be part of a batch', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await post(app, [{ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }, { jsonrpc: '2.0', id: 2, method: 'ping' }])
  t.equal(res.statusCode, 400)
  t.match(res.json().error.message, /initialize must be sent alone/)
  t.equal(app.mcpSessions.size, 0)
})

test('a batch needs a session like any message', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  t.equal((await post(app, [{ jsonrpc: '2.0', id: 1, method: 'ping' }])).statusCode, 400)
})

test('an empty batch is an invalid request', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app, V0326)
  const res = await post(app, [], sessionHeaders(id, V0326))
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32600)
})

test('a cancelled request in a JSON batch is left out; the others are answered', async (t) => {
  const app = await buildApp({ responseMode: 'json' })
  t.teardown(() => app.close())
  const id = await initSession(app, V0326)
  const pending = post(app, [
    { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'wait', arguments: { ms: 10_000 } } },
    { jsonrpc: '2.0', id: 2, method: 'ping' }
  ], sessionHeaders(id, V0326))
  while (app.mcpSessions.list()[0].inflight === 0) await new Promise((resolve) => setImmediate(resolve))
  await post(app, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, reason: 'user' } }, sessionHeaders(id, V0326))
  const res = await pending
  t.same(res.json(), [{ jsonrpc: '2.0', id: 2, result: {} }])
})
