// What the Redis state does when Redis misbehaves, and the paths a healthy run rarely takes:
// failed writes are logged (and what was already written to a client stays written), a
// broken Redis refuses with 503, a lost subscriber connection loses no event, and replays
// that cannot be whole are refused or cut, never partial.
import { Redis } from 'ioredis'
import tap, { test } from 'tap'
import Fastify from 'fastify'
import mcpTransport, { redisState, type McpServerContract, type McpServerHost } from '../../lib/index.js'
import { appendOwn, appendUnrelated, createSession, indexMember, openStandalone as openStandaloneScript, readLog, saveFields, saveSubscription, touchSession } from '../../lib/state/redis/redis-scripts.js'
import { testServer } from '../helpers.js'
import { FaultyClient } from './support/faulty-client.js'
import { LogCapture } from './support/log-capture.js'
import { call, getStream, openSession, reader, send } from './support/mcp-http.js'
import { clusterRedis, until } from './support/cluster-redis.js'
import { startInstance } from './support/two-instances.js'

tap.setTimeout(240_000)
const cluster = await clusterRedis(tap)
const url = cluster?.url ?? ''
const admin = cluster?.admin


async function faulty (t: any, options = {}, state = {}) {
  const client = new FaultyClient(url)
  const log = new LogCapture()
  const instance = await startInstance(t, url, options, testServer(), state, { client, logger: log.options })
  return { ...instance, faults: client, log }
}

if (cluster !== null) {
  test('registration fails closed when Redis does not answer, and releases what it opened', async (t) => {
    const client = new Redis('redis://127.0.0.1:1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 })
    t.teardown(() => client.disconnect())
    const app = Fastify()
    app.register(mcpTransport, { server: testServer(), state: redisState({ client, commandTimeout: 200 }) })
    await t.rejects(app.ready(), { code: 'FST_MCP_STATE_UNAVAILABLE', statusCode: 503 })
  })

  test('a Redis that errors (not a cold script cache) gets 503 and a logged reason', async (t) => {
    const a = await faulty(t)
    a.faults.brokenEvalsha = true
    const res = await fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }) })
    t.equal(res.status, 503)
    t.ok(a.log.matching(/command failed/).length > 0, 'logged')
  })

  test('a failed write of a POST stream event is logged; the client still gets it', async (t) => {
    const a = await faulty(t)
    const id = await openSession(a.url)
    a.faults.failNext(appendOwn, 1)
    const body = await (await send(a.url, id, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'progress', arguments: { steps: 2 }, _meta: { progressToken: 'p' } } })).text()
    t.match(body, /notifications\/progress/)
    t.match(body, /"result"/)
    await until(() => a.log.matching(/failed to keep stream events/).length === 1)
  })

  test('failed record saves, touches, unrelated sends and publishes are logged', async (t) => {
    const a = await faulty(t)
    const id = await openSession(a.url, { roots: {} })
    a.faults.failNext(saveFields)
    t.match(await call(a.url, id, 1, 'logging/setLevel', { level: 'info' }), { result: {} }, 'answered anyway')
    await until(() => a.log.matching(/failed to save a session record/).length === 1)

    a.faults.failNext(touchSession)
    a.app.mcpSessions.get(id)!
    await new Promise((resolve) => setTimeout(resolve, 1100))
    await call(a.url, id, 2, 'ping')
    await until(() => a.log.matching(/failed to extend a session TTL/).length === 1)

    const stream = reader(await getStream(a.url, id))
    await stream.next(5000)
    a.faults.failNext(appendUnrelated)
    const asked = await a.server.request(id, 'roots/list', undefined, { timeout: 300 }).catch((err: Error) => err)
    t.match(asked, { message: /timed out/ }, 'the request found no way to the client and timed out')
    t.ok(a.log.matching(/failed to send on a standalone stream/).length >= 1)

    a.faults.failPublish = 2
    a.server.tool('later', {}, () => 'x')
    await send(a.url, id, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99, reason: 'x' } })
    await until(() => a.log.matching(/failed to publish to listen streams|failed to reach another instance/).length === 2)
  })

  test('an HTTP+SSE session Redis could not record is refused with 503 and kept nowhere', async (t) => {
    const a = await faulty(t)
    a.faults.failNext(createSession)
    const res = await fetch(new URL('/sse', a.url), { headers: { accept: 'text/event-stream' } })
    t.equal(res.status, 503)
    t.match(await res.json(), { error: { message: /shared state/ } })
    t.equal(a.app.mcpSessions.size, 0, 'the session it began is gone')
  })

  test('a standalone stream Redis could not index is logged: broadcasts would miss it', async (t) => {
    const a = await faulty(t)
    const id = await openSession(a.url)
    a.faults.failNext(indexMember)
    const stream = reader(await getStream(a.url, id))
    await stream.next(5000)
    await until(() => a.log.matching(/could not index a standalone stream/).length === 1)
  })

  test('a record change an async handler makes is saved before its answer goes out', async (t) => {
    let host: McpServerHost | undefined
    // A server of its own (McpServerContract) whose handler subscribes the session through
    // the host API after an await: the answer must still wait for Redis to have it.
    const server: McpServerContract = {
      attach (given) { host = given },
      async handleRequest (request, context) {
        if (request.method === 'initialize') {
          return { protocolVersion: '2025-11-25', capabilities: { resources: { subscribe: true } }, serverInfo: { name: 'custom', version: '1.0.0' } }
        }
        await new Promise((resolve) => setImmediate(resolve))
        host!.subscribe!(context.session!.id, 'test://watched')
        return {}
      }
    }
    const client = new FaultyClient(url)
    const a = await startInstance(t, url, {}, server as never, {}, { client })
    const id = await openSession(a.url)
    // Once first: Redis then knows the script, and the delay below applies to its EVALSHA.
    t.match(await call(a.url, id, 1, 'x/watch'), { result: {} })
    client.delayNext(saveSubscription, 300)
    const started = Date.now()
    t.match(await call(a.url, id, 2, 'x/watch'), { result: {} })
    t.ok(Date.now() - started >= 280, 'the answer waited for the save')
    t.same(await admin!.smembers(`mcp:{${id}}:subscriptions`), ['test://watched'])
  })

  test('a failed listen-channel subscription is logged', async (t) => {
    const client = new FaultyClient(url)
    client.failSubscribe = 1
    const log = new LogCapture()
    await startInstance(t, url, {}, testServer(), {}, { client, logger: log.options })
    await until(() => log.matching(/could not subscribe to the listen channel/).length === 1)
  })

  test('a failed read of a live stream is retried on the next wake-up: nothing lost', async (t) => {
    const a = await faulty(t)
    const id = await openSession(a.url)
    const stream = reader(await getStream(a.url, id))
    await stream.next(5000)
    a.faults.failNext(readLog)
    // Past the size a wake-up carries: the holder reads it from the log, and that read fails.
    const big = 'x'.repeat(20_000)
    await a.app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: big } })
    await until(() => a.log.matching(/could not read a stream log/).length === 1)
    // The next one comes with its wake-up, after a gap: the log is read, both arrive in order.
    await a.app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: 2 } })
    t.equal((await stream.message(5000)).params.data, big)
    t.equal((await stream.message(5000)).params.data, 2)
  })

  test('a lost subscriber connection loses no event: the holder reads its log on reconnect', async (t) => {
    const a = await startInstance(t, url)
    const b = await startInstance(t, url)
    const id = await openSession(a.url)
    const stream = reader(await getStream(b.url, id))
    await stream.next(5000)
    // Every subscriber connection is cut: wake-ups published now reach no one.
    await admin!.client('KILL', 'TYPE', 'pubsub')
    await a.app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: 'during the cut' } })
    t.match(await stream.message(10_000), { params: { data: 'during the cut' } })
  })

  test('a finished POST stream resumes with what followed, then ends', async (t) => {
    const a = await startInstance(t, url)
    const b = await startInstance(t, url)
    const id = await openSession(a.url)
    const answer = reader(await send(a.url, id, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'progress', arguments: { steps: 3 }, _meta: { progressToken: 'p' } } }))
    await answer.next()
    const first = await answer.next()
    t.ok(await answer.waitEnd(5000))
    const resumed = reader(await getStream(b.url, id, first.id))
    t.equal((await resumed.message(5000)).params.progress, 2)
    t.equal((await resumed.message(5000)).params.progress, 3)
    t.match(await resumed.message(5000), { id: 1, result: {} })
    t.ok(await resumed.waitEnd(5000), 'the stream had ended: so does its replay')
  })

  test('a session of the other transport is not found (404), and nothing of it is cached', async (t) => {
    const a = await startInstance(t, url)
    const b = await startInstance(t, url)
    const id = await openSession(a.url)
    const res = await fetch(`${b.url.replace(/\/mcp$/, '')}/messages?sessionId=${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })
    t.equal(res.status, 404)
    t.equal(b.app.mcpSessions.size, 0)
  })

  test('a long replay is read a page at a time, every event in order', async (t) => {
    const a = await startInstance(t, url, {}, testServer(), { maxEventsPerStream: 5000 })
    const b = await startInstance(t, url, {}, testServer(), { maxEventsPerStream: 5000 })
    const id = await openSession(a.url)
    const cut = new AbortController()
    const first = await fetch(a.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': id }, signal: cut.signal })
    const priming = await reader(first).next(5000)
    cut.abort()
    const count = 2200
    for (let i = 0; i < count; i += 200) {
      await Promise.all(Array.from({ length: 200 }, (_, j) => b.app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: i + j } })))
    }
    const started = process.hrtime.bigint()
    const res = await getStream(b.url, id, priming.id)
    t.equal(res.status, 200)
    const resumed = reader(res)
    for (let i = 0; i < count; i++) {
      const message = await resumed.message(5000)
      if (message.params.data !== i) {
        t.equal(message.params.data, i, 'in order')
        break
      }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    t.comment(`replayed ${count} events from Redis in ${seconds.toFixed(3)} s (${Math.round(count / seconds)} events/s)`)
    t.pass('all replayed')
  })

  test('a replay waits for a slow reader instead of queueing the log; nothing is lost', async (t) => {
    const a = await startInstance(t, url, { maxStreamQueueBytes: 8192 })
    const id = await openSession(a.url)
    const cut = new AbortController()
    const first = await fetch(a.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': id }, signal: cut.signal })
    const priming = await reader(first).next(5000)
    cut.abort()
    const big = 'x'.repeat(4000)
    const count = 300
    await Promise.all(Array.from({ length: count }, (_, i) => a.app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: `${i} ${big}` } })))
    // 1.2 MB of replay through a 8 KiB queue: it can only work by waiting for the socket.
    const res = await getStream(a.url, id, priming.id)
    t.equal(res.status, 200)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const resumed = reader(res)
    for (let i = 0; i < count; i++) {
      const message = await resumed.message(5000)
      if (!String(message.params.data).startsWith(`${i} `)) {
        t.fail(`event ${i} out of order`)
        break
      }
    }
    t.equal(a.app.mcpSessions.list()[0]?.streams, 1, 'the connection was never cut')
    // And live: a burst while the reader is away.
    await Promise.all(Array.from({ length: count }, (_, i) => a.app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: `${count + i} ${big}` } })))
    await new Promise((resolve) => setTimeout(resolve, 300))
    for (let i = 0; i < count; i++) {
      const message = await resumed.message(5000)
      if (!String(message.params.data).startsWith(`${count + i} `)) {
        t.fail(`live event ${count + i} out of order`)
        break
      }
    }
    t.pass('every event arrived')
  })

  test('a session ended while its stream was being opened or resumed is 404', async (t) => {
    const client = new FaultyClient(url)
    const a = await startInstance(t, url, {}, testServer(), {}, { client })
    const b = await startInstance(t, url)
    const id = await openSession(a.url)
    const stream = reader(await getStream(a.url, id))
    const priming = await stream.next(5000)
    await stream.waitEnd(10).catch(() => {})
    client.delayNext(readLog, 300)
    const resuming = getStream(a.url, id, priming.id)
    await new Promise((resolve) => setTimeout(resolve, 100))
    await fetch(b.url, { method: 'DELETE', headers: { 'mcp-session-id': id } })
    t.equal((await resuming).status, 404, 'resume')
    const id2 = await openSession(a.url)
    client.delayNext(openStandaloneScript, 300)
    const opening = getStream(a.url, id2)
    await new Promise((resolve) => setTimeout(resolve, 100))
    await fetch(b.url, { method: 'DELETE', headers: { 'mcp-session-id': id2 } })
    t.equal((await opening).status, 404, 'open')
  })

  test('a record gone from Redis (expired, or deleted while the bus was down) ends the copy an instance still holds', async (t) => {
    const a = await startInstance(t, url, { sessionTimeout: 2000 })
    const id = await openSession(a.url)
    await admin!.del(`mcp:{${id}}:session`)
    t.equal((await getStream(a.url, id)).status, 404, 'a GET finds no record to open a stream on')
    const other = await openSession(a.url)
    await admin!.del(`mcp:{${other}}:session`)
    // The next touch (at most every timeout / 4) finds the record gone.
    await new Promise((resolve) => setTimeout(resolve, 600))
    await call(a.url, other, 1, 'ping')
    await until(() => a.app.mcpSessions.get(other) === undefined)
    t.equal((await call(a.url, other, 2, 'ping')).status, 404)
  })

  test('a live reader whose next events were trimmed away is cut, not given a hole', async (t) => {
    const a = await startInstance(t, url)
    const id = await openSession(a.url)
    const stream = reader(await getStream(a.url, id))
    const priming = await stream.next(5000)
    const streamId = priming.id!.slice(0, priming.id!.lastIndexOf('_'))
    const log = `mcp:{${id}}:log:${streamId}`
    await admin!.xadd(log, '0-50', 'd', '{"jsonrpc":"2.0","method":"x"}')
    await admin!.xtrim(log, 'MINID', '0-50')
    await admin!.publish(`mcp:{${id}}:bus`, `w${streamId}`)
    t.ok(await stream.waitEnd(5000), 'the connection ended')
    const again = await getStream(a.url, id, priming.id)
    t.equal(again.status, 400, 'and the resume is refused')
  })

  test('app.close() releases every Redis connection it opened; the user\'s client stays', async (t) => {
    const client = new Redis(url)
    t.teardown(() => client.disconnect())
    await client.ping()
    const count = async () => String(await admin!.client('LIST')).trim().split('\n').length
    const before = await count()
    const app = Fastify()
    await app.register(mcpTransport, { server: testServer(), state: redisState({ client }) })
    await app.ready()
    await until(async () => await count() === before + 1)
    await app.close()
    await until(async () => await count() === before)
    t.equal(await client.ping(), 'PONG', 'the application\'s client still works')
  })
}
