// N instances on one Redis act as one server (issue 11): any instance serves any request of
// any session, messages reach a stream wherever it is held, and a DELETE anywhere ends it
// everywhere. In-process instances, each with its own Redis connection.
import { Type } from '@sinclair/typebox'
import tap, { test } from 'tap'
import { createMcpServer } from '../../lib/index.js'
import { testServer } from '../helpers.js'
import { clusterRedis, until } from './support/cluster-redis.js'
import { call, getStream, openSession, reader, send } from './support/mcp-http.js'
import { startInstance } from './support/two-instances.js'

tap.setTimeout(240_000)
const cluster = await clusterRedis(tap)

// Without redis-server outside CI, the file was skipped (loudly) by clusterRedis.
if (cluster !== null) {
  const redis = cluster

  test('initialize on A; calls, notifications and DELETE on B; 404 everywhere after', async (t) => {
    const a = await startInstance(t, redis.url)
    const b = await startInstance(t, redis.url)
    const id = await openSession(a.url)
    t.match(await call(b.url, id, 1, 'tools/call', { name: 'echo', arguments: { text: 'hi' } }), { status: 200, result: { content: [{ text: 'hi' }] } })
    t.match(await call(a.url, id, 2, 'tools/list'), { status: 200, result: { tools: Array } })
    const del = await fetch(b.url, { method: 'DELETE', headers: { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' } })
    t.equal(del.status, 200)
    t.equal((await call(a.url, id, 3, 'tools/list')).status, 404, 'the instance that created it forgot it')
    t.equal((await call(b.url, id, 4, 'tools/list')).status, 404)
  })

  test('an unknown session id is 404 on every instance, never a new session', async (t) => {
    const a = await startInstance(t, redis.url)
    const before = await redis.dbsize()
    const res = await call(a.url, 'no-such-session', 1, 'tools/list')
    t.equal(res.status, 404)
    t.equal(await redis.dbsize(), before, 'nothing was created for it')
  })

  test('notify, broadcast and resourceUpdated sent on A reach the GET stream held by B', async (t) => {
    const server = () => {
      const s = testServer()
      s.resource('watched', 'test://watched', {}, () => 'v1')
      return s
    }
    const a = await startInstance(t, redis.url, {}, server())
    const b = await startInstance(t, redis.url, {}, server())
    const id = await openSession(a.url)
    const stream = reader(await getStream(b.url, id))
    t.equal((await stream.next()).data, '', 'priming event first')
    t.equal(await a.app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: 'one' } }), true)
    t.match(await stream.message(), { method: 'notifications/message', params: { data: 'one' } })
    t.equal(await a.app.mcpSessions.broadcast({ method: 'notifications/tools/list_changed' }), 1)
    t.match(await stream.message(), { method: 'notifications/tools/list_changed' })
    t.match(await call(a.url, id, 1, 'resources/subscribe', { uri: 'test://watched' }), { result: {} })
    t.equal(await b.server.resourceUpdated('test://watched'), 1, 'B finds the subscription made through A')
    t.match(await stream.message(), { method: 'notifications/resources/updated', params: { uri: 'test://watched' } })
    t.equal(await a.app.mcpSessions.notify('nobody', { method: 'notifications/message' }), false)
    // Small events ride in their wake-up; one past 16 KB is read from the log instead.
    const big = 'x'.repeat(20_000)
    t.equal(await a.app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: big } }), true)
    t.equal((await stream.message()).params.data, big)
    t.equal(await a.app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: 'after' } }), true)
    t.equal((await stream.message()).params.data, 'after')
  })

  test('subscriptions changed through instances with stale copies of the session all count', async (t) => {
    const server = () => {
      const s = testServer()
      s.resource('one', 'test://one', {}, () => '1')
      s.resource('two', 'test://two', {}, () => '2')
      return s
    }
    const a = await startInstance(t, redis.url, {}, server())
    const b = await startInstance(t, redis.url, {}, server())
    const id = await openSession(a.url)
    await getStream(a.url, id)
    // B caches the session now, before any subscription exists.
    t.match(await call(b.url, id, 1, 'ping'), { result: {} })
    t.match(await call(a.url, id, 2, 'resources/subscribe', { uri: 'test://one' }), { result: {} })
    t.match(await call(b.url, id, 3, 'resources/subscribe', { uri: 'test://two' }), { result: {} })
    t.equal(await a.server.resourceUpdated('test://one'), 1, 'B\'s subscribe kept the one made through A')
    t.equal(await a.server.resourceUpdated('test://two'), 1)
    t.match(await call(b.url, id, 4, 'resources/unsubscribe', { uri: 'test://one' }), { result: {} })
    t.equal(await a.server.resourceUpdated('test://one'), 0, 'an unsubscribe through B ends the subscription made through A')
    t.equal(await b.server.resourceUpdated('test://two'), 1)
  })

  test('a session before 2025-11-25 gets its GET stream on B without a priming event', async (t) => {
    const a = await startInstance(t, redis.url)
    const b = await startInstance(t, redis.url)
    const old = { 'mcp-protocol-version': '2025-06-18' }
    const init = await fetch(a.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'tap', version: '1.0.0' } } })
    })
    t.equal((await init.json()).result.protocolVersion, '2025-06-18')
    const id = init.headers.get('mcp-session-id')!
    const stream = reader(await getStream(b.url, id, undefined, old))
    await until(async () => await a.app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: 'first' } }))
    const first = await stream.next()
    t.match(JSON.parse(first.data), { method: 'notifications/message', params: { data: 'first' } }, 'the first event is the message, not an empty priming event')
  })

  test('events sent at once from several instances are all kept, in one order, with unique ids', async (t) => {
    const instances = [await startInstance(t, redis.url), await startInstance(t, redis.url), await startInstance(t, redis.url)]
    const id = await openSession(instances[0].url)
    const stream = reader(await getStream(instances[1].url, id))
    await stream.next()
    const count = 300
    await Promise.all(Array.from({ length: count }, (_, i) =>
      instances[i % 3].app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: i } })))
    const ids = new Set<string>()
    const seen = new Set<number>()
    let lastSeq = 0
    for (let i = 0; i < count; i++) {
      const event = await stream.next(5000)
      ids.add(event.id!)
      seen.add(JSON.parse(event.data).params.data)
      const seq = Number(event.id!.slice(event.id!.lastIndexOf('_') + 1))
      t.ok(seq > lastSeq, 'ids increase') || t.bailout
      lastSeq = seq
    }
    t.equal(ids.size, count, 'no duplicate id')
    t.equal(seen.size, count, 'every notification arrived once')
  })

  test('a server-to-client request from A is answered by a POST on B; cancel on B aborts A', async (t) => {
    const a = await startInstance(t, redis.url)
    const b = await startInstance(t, redis.url)
    const id = await openSession(a.url, { roots: {} })
    const asking = await send(a.url, id, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask', arguments: {} } })
    const answer = reader(asking)
    const request = await answer.message()
    t.equal(request.method, 'roots/list')
    t.type(request.id, 'string', 'ids of a shared state carry their instance')
    const reply = await send(b.url, id, { jsonrpc: '2.0', id: request.id, result: { roots: [{ uri: 'file:///b', name: 'b' }] } })
    t.equal(reply.status, 202)
    const result = await answer.message()
    t.match(result, { id: 1, result: { content: [{ text: JSON.stringify({ roots: [{ uri: 'file:///b', name: 'b' }] }) }] } })

    const waiting = send(a.url, id, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'wait', arguments: { ms: 20000 } } })
    await until(() => a.app.mcpSessions.list()[0]?.inflight === 1)
    await send(b.url, id, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2, reason: 'stop' } })
    const cancelled = await waiting
    t.equal(cancelled.headers.get('content-type'), 'text/event-stream', 'a cancelled request gets a stream')
    t.notMatch(await cancelled.text(), /event: message/, '... that carries no response')
  })

  test('DELETE on B ends the streams A holds and aborts the work A runs', async (t) => {
    const a = await startInstance(t, redis.url)
    const b = await startInstance(t, redis.url)
    const before = await redis.dbsize()
    const id = await openSession(a.url)
    const stream = reader(await getStream(a.url, id))
    await stream.next()
    const working = send(a.url, id, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'wait', arguments: { ms: 20000 } } })
    await until(() => a.app.mcpSessions.list()[0]?.inflight === 1)
    t.equal((await fetch(b.url, { method: 'DELETE', headers: { 'mcp-session-id': id } })).status, 200)
    t.ok(await stream.waitEnd(5000), 'the GET stream on A ended')
    await (await working).text()
    t.equal(a.app.mcpSessions.size, 0, 'A let go of the session')
    await until(async () => await redis.dbsize() === before)
  })

  test('a second GET on another instance replaces the first stream', async (t) => {
    const a = await startInstance(t, redis.url)
    const b = await startInstance(t, redis.url)
    const id = await openSession(a.url)
    const first = reader(await getStream(a.url, id))
    await first.next()
    const second = reader(await getStream(b.url, id))
    await second.next()
    t.ok(await first.waitEnd(5000), 'the first stream ended')
    await a.app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: 'after' } })
    t.match(await second.message(), { params: { data: 'after' } }, 'the new stream gets what follows')
  })

  test('a POST answer cut on A resumes on B while the handler on A keeps writing', async (t) => {
    const server = () => {
      const s = createMcpServer({ name: 'slow', version: '1.0.0' })
      s.tool('count', { input: Type.Object({ to: Type.Integer() }) }, async ({ to }, ctx) => {
        for (let i = 1; i <= to; i++) {
          ctx.log('info', i)
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
        return 'counted'
      })
      return s
    }
    const a = await startInstance(t, redis.url, {}, server())
    const b = await startInstance(t, redis.url, {}, server())
    const id = await openSession(a.url)
    const cut = new AbortController()
    const res = await send(a.url, id, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'count', arguments: { to: 20 } } }, {}, cut.signal)
    const first = reader(res)
    const priming = await first.next()
    const e1 = await first.next()
    const e2 = await first.next()
    t.equal(JSON.parse(e2.data).params.data, 2)
    cut.abort()
    const resumed = reader(await getStream(b.url, id, e2.id))
    const seen: number[] = []
    for (;;) {
      const message = await resumed.message(5000)
      if ('result' in message) {
        t.match(message, { id: 1, result: { content: [{ text: 'counted' }] } })
        break
      }
      seen.push(message.params.data)
    }
    t.same(seen, Array.from({ length: 18 }, (_, i) => i + 3), 'every event after the cut, once, in order')
    t.ok(await resumed.waitEnd(5000), 'the resumed stream ends after the response')
    t.ok(priming.id !== undefined && e1.id !== undefined)
  })

  test('a foreign, unknown or never-issued event id is a 400, never a partial replay', async (t) => {
    const a = await startInstance(t, redis.url)
    const b = await startInstance(t, redis.url)
    const id = await openSession(a.url)
    const stream = reader(await getStream(a.url, id))
    const priming = await stream.next()
    for (const lastEventId of ['garbage', 'nostream_1', `${priming.id!.slice(0, priming.id!.lastIndexOf('_'))}_99`]) {
      const res = await getStream(b.url, id, lastEventId)
      t.equal(res.status, 400, lastEventId)
      t.match(await res.json(), { error: { message: /Last-Event-ID/ } })
    }
  })

  test('logging/setLevel on B filters the logs of a call on A', async (t) => {
    const a = await startInstance(t, redis.url)
    const b = await startInstance(t, redis.url)
    const id = await openSession(a.url)
    t.match(await call(b.url, id, 1, 'logging/setLevel', { level: 'error' }), { result: {} })
    await until(() => a.app.mcpSessions.get(id)?.logLevel === 'error')
    t.equal(a.app.mcpSessions.get(id)?.logLevel, 'error', 'A learned the level set through B')
    const c = await startInstance(t, redis.url)
    t.match(await call(c.url, id, 2, 'ping'), { result: {} })
    t.equal(c.app.mcpSessions.get(id)?.logLevel, 'error', 'an instance that loads the record later has it too')
  })

  test('after every session ends, Redis holds nothing of them', async (t) => {
    const a = await startInstance(t, redis.url)
    const b = await startInstance(t, redis.url)
    const before = await redis.dbsize()
    const ids = await Promise.all(Array.from({ length: 10 }, () => openSession(a.url)))
    for (const id of ids) {
      const stream = reader(await getStream(b.url, id))
      await stream.next()
      await call(a.url, id, 1, 'tools/call', { name: 'progress', arguments: { steps: 3 } }, { accept: 'application/json, text/event-stream' })
      await stream.close?.()
    }
    t.ok(await redis.dbsize() > before, 'sessions, streams and logs are kept while they live')
    for (const id of ids) await fetch(b.url, { method: 'DELETE', headers: { 'mcp-session-id': id } })
    await until(async () => await redis.dbsize() === before)
    t.equal(await redis.dbsize(), before, 'DBSIZE is back where it started')
  })
}
