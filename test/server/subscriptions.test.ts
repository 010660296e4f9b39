// resources/subscribe and unsubscribe, and notifications/resources/updated on the session's
// GET stream (2025-11-25 server/resources §Subscriptions).
import { test } from 'tap'
import { buildApp } from '../helpers.js'
import { createMcpServer, type McpServer } from '../../lib/index.js'
import { ResourceSubscriptions } from '../../lib/sessions/resource-subscriptions.js'
import { HttpSession, listen } from './http-client.js'
import { connect } from './rpc.js'
import { fakeContext } from './fake-context.js'

function watchedServer (): McpServer {
  const server = createMcpServer({ name: 'watch', version: '1.0.0' })
  server.resource('watched', 'test://watched', {}, () => 'v1')
  server.resourceTemplate('item', 'items://{id}', {}, (_uri, { id }) => id)
  return server
}

async function rpc (session: HttpSession, id: number, method: string, params: Record<string, unknown>): Promise<any> {
  return (await session.post({ jsonrpc: '2.0', id, method, params })).json()
}

test('a subscribed resource update arrives on the session GET stream', async (t) => {
  const server = watchedServer()
  const session = await HttpSession.open(await listen(t, await buildApp({}, server)))
  const stream = await session.listen()
  t.same(await rpc(session, 1, 'resources/subscribe', { uri: 'test://watched' }), { jsonrpc: '2.0', id: 1, result: {} })
  t.equal(server.resourceUpdated('test://watched'), 1, 'one session was told')
  t.same(await stream.next(), { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'test://watched' } })
  await stream.close()
})

test('a URI a template matches can be subscribed to', async (t) => {
  const server = watchedServer()
  const session = await HttpSession.open(await listen(t, await buildApp({}, server)))
  const stream = await session.listen()
  await rpc(session, 1, 'resources/subscribe', { uri: 'items://42' })
  t.equal(server.resourceUpdated('items://42'), 1)
  t.same((await stream.next()).params, { uri: 'items://42' })
  t.equal(server.resourceUpdated('items://43'), 0, 'a sibling URI has no subscriber')
  await stream.close()
})

test('only the sessions that subscribed are told', async (t) => {
  const server = watchedServer()
  const url = await listen(t, await buildApp({}, server))
  const watcher = await HttpSession.open(url)
  const bystander = await HttpSession.open(url)
  const watcherStream = await watcher.listen()
  const bystanderStream = await bystander.listen()
  await rpc(watcher, 1, 'resources/subscribe', { uri: 'test://watched' })
  t.equal(server.resourceUpdated('test://watched'), 1)
  t.equal((await watcherStream.next()).method, 'notifications/resources/updated')
  await t.rejects(bystanderStream.next(200), /timed out/, 'the other session hears nothing')
  await watcherStream.close()
  await bystanderStream.close()
})

test('after unsubscribe no update is sent', async (t) => {
  const server = watchedServer()
  const session = await HttpSession.open(await listen(t, await buildApp({}, server)))
  await rpc(session, 1, 'resources/subscribe', { uri: 'test://watched' })
  t.same(await rpc(session, 2, 'resources/unsubscribe', { uri: 'test://watched' }), { jsonrpc: '2.0', id: 2, result: {} })
  t.equal(server.resourceUpdated('test://watched'), 0)
  t.same((await rpc(session, 3, 'resources/unsubscribe', { uri: 'test://never' })).result, {}, 'unsubscribing twice, or from anything, is fine')
})

test('an update is not counted when the subscriber has no GET stream open', async (t) => {
  const server = watchedServer()
  const session = await HttpSession.open(await listen(t, await buildApp({}, server)))
  await rpc(session, 1, 'resources/subscribe', { uri: 'test://watched' })
  t.equal(server.resourceUpdated('test://watched'), 0)
})

test('a session that ends (DELETE) loses its subscriptions', async (t) => {
  const server = watchedServer()
  const session = await HttpSession.open(await listen(t, await buildApp({}, server)))
  const stream = await session.listen()
  await rpc(session, 1, 'resources/subscribe', { uri: 'test://watched' })
  t.equal(server.resourceUpdated('test://watched'), 1, 'subscribed')
  await stream.next()
  const res = await fetch(session.url, { method: 'DELETE', headers: session.headers() })
  t.equal(res.status, 200)
  t.equal(server.resourceUpdated('test://watched'), 0, 'the session and its subscriptions are gone')
})

test('subscribing to a URI nothing serves is -32002', async (t) => {
  const rpcs = await connect(t, watchedServer())
  const { error } = await rpcs.call('resources/subscribe', { uri: 'test://nothing' })
  t.same(error, { code: -32002, message: 'Resource not found: test://nothing', data: { uri: 'test://nothing' } })
})

test('subscribe and unsubscribe without a uri string are -32602', async (t) => {
  const rpcs = await connect(t, watchedServer())
  t.equal((await rpcs.call('resources/subscribe', {})).error.code, -32602)
  const { error } = await rpcs.call('resources/unsubscribe', { uri: 7 })
  t.same(error, { code: -32602, message: 'resources/unsubscribe needs a uri string' })
})

test('subscribing without a session (a stateless request) is -32600: there is no GET stream', async (t) => {
  const server = watchedServer()
  for (const method of ['resources/subscribe', 'resources/unsubscribe']) {
    await t.rejects(Promise.resolve().then(() => server.handleRequest({ jsonrpc: '2.0', id: 1, method, params: { uri: 'test://watched' } }, fakeContext({ method }))),
      { code: -32600, message: `${method} needs a session (initialize first)` })
  }
})

test('resourceUpdated before the server is attached to a transport tells nobody', async (t) => {
  t.equal(watchedServer().resourceUpdated('test://watched'), 0)
})

test('ResourceSubscriptions keeps both indexes in step', async (t) => {
  const subscriptions = new ResourceSubscriptions()
  subscriptions.subscribe('s1', 'a')
  subscriptions.subscribe('s1', 'b')
  subscriptions.subscribe('s2', 'a')
  t.same([...subscriptions.subscribers('a')], ['s1', 's2'])
  t.equal(subscriptions.sessions, 2)
  subscriptions.unsubscribe('s1', 'a')
  t.same([...subscriptions.subscribers('a')], ['s2'])
  subscriptions.unsubscribe('s2', 'a')
  t.same([...subscriptions.subscribers('a')], [], 'a URI nobody watches is forgotten')
  t.equal(subscriptions.sessions, 1)
  subscriptions.unsubscribe('s3', 'a')
  subscriptions.dropSession('s3')
  subscriptions.dropSession('s1')
  t.equal(subscriptions.sessions, 0)
  t.same([...subscriptions.subscribers('b')], [])
})
