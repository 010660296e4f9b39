// subscriptions/listen (2026-07-28 basic/patterns/subscriptions; mcp-transport-spec item 95).
import { test } from 'tap'
import Fastify from 'fastify'
import mcp from '../../lib/index.js'
import { agreedFilter, Subscriptions } from '../../lib/modern/subscriptions.js'
import type { SseStream } from '../../lib/streams/sse-stream.js'
import { testServer } from '../helpers.js'
import { modernHeaders, modernMeta, openListen as openListenStream } from './modern-helpers.js'
import { createMcpServer } from '../../lib/index.js'

/** Opens a listen stream (no capabilities) with the given request id. */
function openListen (port: number, notifications: unknown, id = 42) {
  return openListenStream(port, notifications, { id })
}

test('listen acknowledges first, then delivers only the asked-for types, tagged with the listen id', async (t) => {
  const server = testServer()
  const app = Fastify()
  await app.register(mcp, { server })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const stream = await openListen(port, { toolsListChanged: true, promptsListChanged: 'yes' })
  t.equal(stream.res.status, 200)
  t.equal(stream.res.headers.get('mcp-session-id'), null, 'no session')
  await stream.until(() => stream.frames.length >= 1)
  t.same(stream.frames[0], {
    jsonrpc: '2.0',
    method: 'notifications/subscriptions/acknowledged',
    params: { notifications: { toolsListChanged: true }, _meta: { 'io.modelcontextprotocol/subscriptionId': 42 } }
  }, 'the acknowledgement names the honoured filter')
  server.prompt('p', { description: 'not asked for' }, () => 'p')
  server.tool('t2', { description: 'asked for' }, () => 't2')
  await stream.until(() => stream.frames.length >= 2)
  t.same(stream.frames.slice(1), [{
    jsonrpc: '2.0',
    method: 'notifications/tools/list_changed',
    params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 42 } }
  }], 'only tools/list_changed, tagged')
  stream.close()
})

test('resources/updated reaches a listener that named the URI, and nobody else', async (t) => {
  const server = createMcpServer({ name: 's', version: '1' })
  server.resource('a', 'test://a', {}, () => 'a')
  const app = Fastify()
  await app.register(mcp, { server })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const watching = await openListen(port, { resourceSubscriptions: ['test://a', 7] }, 1)
  const other = await openListen(port, { resourcesListChanged: true }, 2)
  await watching.until(() => watching.frames.length >= 1)
  await other.until(() => other.frames.length >= 1)
  t.same(watching.frames[0].params.notifications, { resourceSubscriptions: ['test://a'] })
  t.equal(server.resourceUpdated('test://a'), 1, 'one listener took it')
  t.equal(server.resourceUpdated('test://b'), 0, 'no listener named test://b')
  await watching.until(() => watching.frames.length >= 2)
  t.same(watching.frames[1], { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'test://a', _meta: { 'io.modelcontextprotocol/subscriptionId': 1 } } })
  t.equal(other.frames.length, 1, 'the other listener got only its acknowledgement')
  watching.close()
  other.close()
})

test('listen streams get keep-alive comments from the heartbeat', async (t) => {
  const app = Fastify()
  await app.register(mcp, { server: testServer(), heartbeatInterval: 30 })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const stream = await openListen(port, {})
  await stream.until(() => stream.comments() >= 2)
  t.ok(stream.comments() >= 2, 'comments arrive on an idle listen stream')
  stream.close()
})

test('app.close() ends each listen stream with a complete result', async (t) => {
  const app = Fastify()
  await app.register(mcp, { server: testServer() })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const stream = await openListen(port, { toolsListChanged: true }, 'L1' as unknown as number)
  await stream.until(() => stream.frames.length >= 1)
  await app.close()
  await stream.until(() => stream.ended())
  t.same(stream.frames[1], { jsonrpc: '2.0', id: 'L1', result: { resultType: 'complete', _meta: { 'io.modelcontextprotocol/subscriptionId': 'L1' } } })
  t.ok(stream.ended(), 'the stream ended')
})

test('a listener that disconnects is forgotten', async (t) => {
  const server = createMcpServer({ name: 's', version: '1' })
  server.resource('x', 'test://x', {}, () => 'x')
  const app = Fastify()
  await app.register(mcp, { server })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const stream = await openListen(port, { resourceSubscriptions: ['test://x'] })
  await stream.until(() => stream.frames.length >= 1)
  t.equal(server.resourceUpdated('test://x'), 1, 'listening')
  stream.close()
  const deadline = Date.now() + 2000
  while (server.resourceUpdated('test://x') !== 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(server.resourceUpdated('test://x'), 0, 'the closed listener no longer receives')
})

test('listen needs an Accept that allows SSE', async (t) => {
  const app = Fastify()
  await app.register(mcp, { server: testServer() })
  t.teardown(() => app.close())
  const res = await app.inject({
    method: 'POST',
    url: '/mcp',
    headers: { ...modernHeaders('subscriptions/listen'), accept: 'application/json' },
    payload: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'subscriptions/listen', params: { notifications: {}, _meta: modernMeta() } })
  })
  t.equal(res.statusCode, 406)
})

test('modern requests during shutdown are refused with 503 (apps with return503OnClosing off)', async (t) => {
  const app = Fastify({ return503OnClosing: false })
  await app.register(mcp, { server: testServer() })
  let url = ''
  const statuses: number[] = []
  app.addHook('preClose', async () => {
    for (const method of ['tools/list', 'subscriptions/listen']) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { ...modernHeaders(method), connection: 'close' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { notifications: {}, _meta: modernMeta() } })
      })
      statuses.push(res.status)
      await res.text()
    }
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/mcp`
  await app.close()
  t.same(statuses, [503, 503])
})

test('agreedFilter keeps only true flags and string URIs', async (t) => {
  t.same(agreedFilter(undefined), {})
  t.same(agreedFilter('all'), {})
  t.same(agreedFilter({ toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true, resourceSubscriptions: ['a', 1] }),
    { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true, resourceSubscriptions: ['a'] })
  t.same(agreedFilter({ toolsListChanged: false, resourceSubscriptions: 'a' }), {})
})

test('a listener never gets a notification type outside the filter vocabulary', async (t) => {
  const sent: unknown[] = []
  const stream = { send: (message: unknown) => { sent.push(message); return true } } as unknown as SseStream
  const subscriptions = new Subscriptions()
  subscriptions.add({ id: 5, filter: { toolsListChanged: true, resourcesListChanged: true }, stream })
  t.equal(subscriptions.broadcast({ method: 'notifications/message', params: { level: 'info', data: 'request-scoped' } }), 0)
  t.equal(subscriptions.broadcast({ method: 'notifications/resources/list_changed', params: { _meta: { trace: 'x' } } }), 1)
  t.same(sent, [{ jsonrpc: '2.0', method: 'notifications/resources/list_changed', params: { _meta: { trace: 'x', 'io.modelcontextprotocol/subscriptionId': 5 } } }])
})
