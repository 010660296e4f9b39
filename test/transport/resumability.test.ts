import { request as httpRequest, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Type } from '@sinclair/typebox'
import { test, type Test } from 'tap'
import { createMcpServer } from '../../lib/index.js'
import { buildApp, initSession, parseSse, post, sessionHeaders, sseMessages, ACCEPT_BOTH } from '../helpers.js'

/** A server whose tools stream, wait on a gate, or close their own connection. */
function streamingServer () {
  const server = createMcpServer({ name: 'resume', version: '1' })
  const gates = new Map<string, () => void>()
  server.tool('gated', { input: Type.Object({ gate: Type.String(), before: Type.Integer(), after: Type.Integer() }) },
    async ({ gate, before, after }: { gate: string, before: number, after: number }, ctx) => {
      for (let i = 1; i <= before; i++) ctx.log('info', `before ${i}`)
      await new Promise<void>((resolve) => gates.set(gate, resolve))
      for (let i = 1; i <= after; i++) ctx.log('info', `after ${i}`)
      return `done ${gate}`
    })
  server.tool('close_first', { input: Type.Object({ gate: Type.String() }) }, async ({ gate }: { gate: string }, ctx) => {
    const closed = ctx.closeStream()
    await new Promise<void>((resolve) => gates.set(gate, resolve))
    return `closed=${closed}`
  })
  // Keeps its context after answering, and tries to close the stream once the answer is out.
  const late: { closed?: boolean } = {}
  server.tool('close_late', {}, (_args, ctx) => {
    setTimeout(() => { late.closed = ctx.closeStream() }, 20)
    return 'answered'
  })
  server.tool('poll', { input: Type.Object({ gate: Type.String() }) }, async ({ gate }: { gate: string }, ctx) => {
    ctx.log('info', 'working')
    const closed = ctx.closeStream()
    await new Promise<void>((resolve) => gates.set(gate, resolve))
    return `closed=${closed}`
  })
  const open = async (gate: string) => {
    const deadline = Date.now() + 2000
    while (!gates.has(gate)) {
      if (Date.now() > deadline) throw new Error(`gate ${gate} never reached`)
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
    gates.get(gate)!()
    gates.delete(gate)
  }
  return { server, open, late }
}

async function listen (app: Awaited<ReturnType<typeof buildApp>>): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as AddressInfo).port
}

/**
 * A listening app with the streaming server and one initialized session: what every test
 * of a cut connection needs, since only a real socket can be cut.
 */
async function listeningSession (t: Test) {
  const { server, open } = streamingServer()
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const port = await listen(app)
  const id = await initSession(app)
  const headers = { 'content-type': 'application/json', accept: ACCEPT_BOTH, ...sessionHeaders(id) }
  return { app, port, id, headers, open }
}

/**
 * Opens the session's GET stream, reads its priming event, cuts the connection and waits
 * until the server has seen it go: the id to resume from, with the client away.
 */
async function cutStandaloneStream (app: Awaited<ReturnType<typeof buildApp>>, port: number, id: string): Promise<string> {
  const get = rawRequest(port, 'GET', { accept: 'text/event-stream', ...sessionHeaders(id) })
  await get.until((text) => text.includes('\n\n'))
  const primingId = parseSse(get.text)[0].id!
  get.destroy()
  const session = app.mcpSessions.get(id)!
  while (session.streams.size > 0) await new Promise((resolve) => setTimeout(resolve, 2))
  return primingId
}

/** A raw HTTP request whose response is read event by event; destroy() cuts the connection. */
function rawRequest (port: number, method: string, headers: Record<string, string>, body?: unknown) {
  const req = httpRequest({ host: '127.0.0.1', port, path: '/mcp', method, headers })
  let text = ''
  let res: IncomingMessage | undefined
  const waiters: Array<() => void> = []
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', (r) => {
      res = r
      r.setEncoding('utf8')
      r.on('data', (chunk: string) => { text += chunk; for (const w of waiters.splice(0)) w() })
      r.on('end', () => { for (const w of waiters.splice(0)) w() })
      resolve(r)
    })
    req.on('error', reject)
  })
  req.end(body === undefined ? undefined : JSON.stringify(body))
  return {
    response,
    get text () { return text },
    get ended () { return res?.complete === true },
    async until (predicate: (text: string) => boolean): Promise<string> {
      const deadline = Date.now() + 3000
      while (!predicate(text)) {
        if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(text)}`)
        await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 50) })
      }
      return text
    },
    destroy () { req.destroy() }
  }
}

const callBody = (id: number, name: string, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } })

test('a 2025-11-25 SSE answer starts with a priming event: an id, empty data and retry', async (t) => {
  const app = await buildApp({ responseMode: 'sse', retryInterval: 2500 })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'ping' }, sessionHeaders(id))
  const [priming, response] = parseSse(res.body)
  t.match(priming.id, /^[a-z0-9]+_1$/)
  t.equal(priming.data, '')
  t.equal(priming.retry, 2500)
  t.match(response.id, /^[a-z0-9]+_2$/, 'every message carries an id of the same stream')
  t.same(JSON.parse(response.data).result, {})
})

test('clients before 2025-11-25 get no priming event, but ids still', async (t) => {
  const app = await buildApp({ responseMode: 'sse' })
  t.teardown(() => app.close())
  const id = await initSession(app, '2025-06-18')
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'ping' }, sessionHeaders(id, '2025-06-18'))
  const events = parseSse(res.body)
  t.equal(events.length, 1)
  t.ok(events[0].id)
})

test('without an event store there are no ids, no priming, and closeStream does nothing', async (t) => {
  const { server, open } = streamingServer()
  const app = await buildApp({ eventStore: false }, server)
  t.teardown(() => app.close())
  const id = await initSession(app)
  const call = post(app, callBody(2, 'poll', { gate: 'g' }), sessionHeaders(id))
  await open('g')
  const events = parseSse((await call).body)
  t.same(events.map((e) => e.id), [undefined, undefined])
  t.equal(JSON.parse(events[1].data).result.content[0].text, 'closed=false')
})

test('event ids are unique across the streams of a session', async (t) => {
  const app = await buildApp({ responseMode: 'sse' })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const ids = new Set<string>()
  for (let i = 0; i < 5; i++) {
    const res = await post(app, { jsonrpc: '2.0', id: i, method: 'ping' }, sessionHeaders(id))
    for (const event of parseSse(res.body)) ids.add(event.id!)
  }
  t.equal(ids.size, 10)
})

test('a dropped POST stream is resumed with Last-Event-ID: nothing lost, nothing twice', async (t) => {
  const { app, port, id, headers, open } = await listeningSession(t)
  const first = rawRequest(port, 'POST', headers, callBody(2, 'gated', { gate: 'a', before: 2, after: 3 }))
  await first.until((text) => text.includes('before 2'))
  const seen = parseSse(first.text)
  first.destroy()
  const session = app.mcpSessions.get(id)!
  while (session.streams.size > 0) await new Promise((resolve) => setTimeout(resolve, 2))
  t.equal(session.inflight.size, 1, 'a disconnect is not a cancellation: the handler runs on')
  await open('a')
  const lastId = seen.at(-1)!.id!
  const resumed = rawRequest(port, 'GET', { accept: 'text/event-stream', 'last-event-id': lastId, ...sessionHeaders(id) })
  t.equal((await resumed.response).statusCode, 200)
  await resumed.until(() => resumed.ended)
  const messages = sseMessages(resumed.text)
  t.same(messages.map((m) => m.params?.data ?? m.result?.content[0].text), ['after 1', 'after 2', 'after 3', 'done a'])
  const all = [...seen, ...parseSse(resumed.text)].map((e) => e.id)
  t.equal(new Set(all).size, all.length, 'no event delivered twice')
})

test('resuming a live stream carries on with its later events on the new connection', async (t) => {
  const { port, id, headers, open } = await listeningSession(t)
  const first = rawRequest(port, 'POST', headers, callBody(2, 'gated', { gate: 'b', before: 1, after: 2 }))
  await first.until((text) => text.includes('before 1'))
  const primingId = parseSse(first.text)[0].id!
  first.destroy()
  const resumed = rawRequest(port, 'GET', { accept: 'text/event-stream', 'last-event-id': primingId, ...sessionHeaders(id) })
  await resumed.until((text) => text.includes('before 1'))
  await open('b')
  await resumed.until(() => resumed.ended)
  t.same(sseMessages(resumed.text).map((m) => m.params?.data ?? m.result?.content[0].text), ['before 1', 'after 1', 'after 2', 'done b'])
})

/** The streaming server on an injected app with one initialized session. */
async function injectedSession (t: Test) {
  const { server, open, late } = streamingServer()
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  return { app, id: await initSession(app), open, late }
}

/** The client coming back after `retry` ms, once the handler finished: the results replayed. */
async function resumeWhenDone (app: Awaited<ReturnType<typeof buildApp>>, id: string, lastEventId: string): Promise<string[]> {
  const deadline = Date.now() + 2000
  while (app.mcpSessions.list()[0].inflight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2))
  const resumed = await app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', 'last-event-id': lastEventId, ...sessionHeaders(id) } })
  return sseMessages(resumed.body).map((m) => m.result.content[0].text)
}

test('the polling pattern: a handler closes its connection and the client collects the result', async (t) => {
  const { app, id, open } = await injectedSession(t)
  const call = await post(app, callBody(2, 'poll', { gate: 'p' }), sessionHeaders(id))
  const events = parseSse(call.body)
  t.equal(events[0].data, '', 'priming first')
  t.equal(events[0].retry, 1000)
  t.equal(JSON.parse(events[1].data).params.data, 'working')
  t.equal(events.length, 2, 'the connection closed before the result')
  // The client comes back while the handler still runs: the result arrives on the resumed stream.
  const resumed = app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', 'last-event-id': events[1].id!, ...sessionHeaders(id) } })
  await open('p')
  t.same(sseMessages((await resumed).body).map((m) => m.result.content[0].text), ['closed=true'])
})

test('closeStream before anything was sent: the answer becomes a stream of just its priming event, and the result waits for the resume', async (t) => {
  const { app, id, open } = await injectedSession(t)
  const call = await post(app, callBody(2, 'close_first', { gate: 'c' }), sessionHeaders(id))
  t.equal(call.headers['content-type'], 'text/event-stream')
  const events = parseSse(call.body)
  t.equal(events.length, 1, 'the priming event, then the connection closed')
  t.equal(events[0].data, '')
  await open('c')
  t.same(await resumeWhenDone(app, id, events[0].id!), ['closed=true'])
})

test('closeStream once the answer is out closes nothing: there is no stream left to close', async (t) => {
  const { app, id, late } = await injectedSession(t)
  const call = await post(app, callBody(2, 'close_late', {}), sessionHeaders(id))
  t.equal(call.json().result.content[0].text, 'answered')
  const deadline = Date.now() + 2000
  while (late.closed === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal(late.closed, false)
})

test('two streams on one session: resuming one replays only its own events', async (t) => {
  const { app, port, id, headers, open } = await listeningSession(t)
  const one = rawRequest(port, 'POST', headers, callBody(1, 'gated', { gate: 'one', before: 1, after: 1 }))
  const two = rawRequest(port, 'POST', headers, callBody(2, 'gated', { gate: 'two', before: 1, after: 1 }))
  await one.until((text) => text.includes('before 1'))
  await two.until((text) => text.includes('before 1'))
  const oneLast = parseSse(one.text).at(-1)!.id!
  one.destroy()
  await open('two')
  await open('one')
  await two.until(() => two.ended)
  const resumed = await app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', 'last-event-id': oneLast, ...sessionHeaders(id) } })
  const messages = sseMessages(resumed.body)
  t.same(messages.map((m) => m.params?.data ?? m.result?.content[0].text), ['after 1', 'done one'])
  t.ok(messages.every((m) => m.id === undefined || m.id === 1), 'nothing of stream two')
  t.same(sseMessages(two.text).map((m) => m.params?.data ?? m.result?.content[0].text), ['before 1', 'after 1', 'done two'])
})

test('the standalone stream keeps what was sent while the client was away', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const port = await listen(app)
  const id = await initSession(app)
  const primingId = await cutStandaloneStream(app, port, id)
  t.equal(app.mcpSessions.notify(id, { method: 'notifications/resources/list_changed' }), true, 'kept for the resume')
  const resumed = rawRequest(port, 'GET', { accept: 'text/event-stream', 'last-event-id': primingId, ...sessionHeaders(id) })
  await resumed.until((text) => text.includes('list_changed'))
  app.mcpSessions.notify(id, { method: 'notifications/tools/list_changed' })
  await resumed.until((text) => text.includes('tools/list_changed'))
  t.same(sseMessages(resumed.text).map((m) => m.method), ['notifications/resources/list_changed', 'notifications/tools/list_changed'])
  resumed.destroy()
})

test('unknown, malformed and foreign event ids get 400', async (t) => {
  const app = await buildApp({ responseMode: 'sse' })
  t.teardown(() => app.close())
  const a = await initSession(app)
  const b = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'ping' }, sessionHeaders(a))
  const eventOfA = parseSse(res.body)[0].id!
  const get = (session: string, lastEventId: string) => app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', 'last-event-id': lastEventId, ...sessionHeaders(session) } })
  for (const bad of ['nope', '_1', 'x_-1', 'zzz_5']) {
    const r = await get(a, bad)
    t.equal(r.statusCode, 400, bad)
    t.match(r.json().error.message, /Last-Event-ID .* is unknown or no longer kept/)
  }
  t.equal((await get(b, eventOfA)).statusCode, 400, "another session's event id replays nothing")
  t.equal((await get(a, eventOfA)).statusCode, 200, 'its own session may resume it')
})

test('Last-Event-ID without an event store gets 400', async (t) => {
  const app = await buildApp({ eventStore: false })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', 'last-event-id': 'a_1', ...sessionHeaders(id) } })
  t.equal(res.statusCode, 400)
})

test('an id older than what the store keeps gets 400 rather than a silent gap', async (t) => {
  const { MemoryEventStore } = await import('../../lib/state/memory/memory-event-store.js')
  const server = createMcpServer({ name: 's', version: '1' })
  server.tool('chatty', {}, (_args, ctx) => { for (let i = 0; i < 10; i++) ctx.log('info', i); return 'ok' })
  const app = await buildApp({ eventStore: new MemoryEventStore({ maxEventsPerStream: 4 }) }, server)
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, callBody(2, 'chatty', {}), sessionHeaders(id))
  const events = parseSse(res.body)
  const get = (lastEventId: string) => app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', 'last-event-id': lastEventId, ...sessionHeaders(id) } })
  t.equal((await get(events[2].id!)).statusCode, 400)
  const recent = await get(events.at(-3)!.id!)
  t.equal(recent.statusCode, 200)
  t.equal(sseMessages(recent.body).length, 2)
})

test('the event store forgets a session when it ends', async (t) => {
  const { MemoryEventStore } = await import('../../lib/state/memory/memory-event-store.js')
  const store = new MemoryEventStore()
  const app = await buildApp({ eventStore: store, responseMode: 'sse' })
  t.teardown(() => app.close())
  const id = await initSession(app)
  await post(app, { jsonrpc: '2.0', id: 2, method: 'ping' }, sessionHeaders(id))
  t.ok(store.size > 0)
  await app.inject({ method: 'DELETE', url: '/mcp', headers: sessionHeaders(id) })
  t.equal(store.size, 0)
})

test('an event store that fails is logged and does not break the stream', async (t) => {
  const logs: string[] = []
  const Fastify = (await import('fastify')).default
  const mcp = (await import('../../lib/index.js')).default
  const { testServer } = await import('../helpers.js')
  const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => { logs.push(line) } } } })
  let calls = 0
  await app.register(mcp, {
    server: testServer(),
    responseMode: 'sse',
    eventStore: {
      append () { if (++calls % 2 === 0) throw new Error('sync store failure'); return Promise.reject(new Error('async store failure')) },
      replay () { return null },
      dropSession () {}
    }
  })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'ping' }, sessionHeaders(id))
  t.same(sseMessages(res.body), [{ jsonrpc: '2.0', id: 2, result: {} }])
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(logs.some((l) => l.includes('sync store failure')))
  t.ok(logs.some((l) => l.includes('async store failure')))
})

test('events that arrive while a slow store replays are caught up before going live', async (t) => {
  const { MemoryEventStore } = await import('../../lib/state/memory/memory-event-store.js')
  const memory = new MemoryEventStore()
  let onReplay: (() => void) | undefined
  let calls = 0
  let failAt = 0
  const slowStore = {
    append: (s: string, id: string, seq: number, data: string) => memory.append(s, id, seq, data),
    dropSession: (s: string) => memory.dropSession(s),
    replay: async (s: string, id: string, after: number) => {
      const call = ++calls
      const result = memory.replay(s, id, after)
      onReplay?.()
      await new Promise((resolve) => setTimeout(resolve, 10))
      return call === failAt ? null : result
    }
  }
  const app = await buildApp({ eventStore: slowStore })
  t.teardown(() => app.close())
  const port = await listen(app)
  const id = await initSession(app)
  const primingId = await cutStandaloneStream(app, port, id)
  app.mcpSessions.notify(id, { method: 'first' })
  // While the first replay is under way, another event is kept: the resume must not lose it.
  let once = true
  onReplay = () => { if (once) { once = false; app.mcpSessions.notify(id, { method: 'during' }) } }
  const resumed = rawRequest(port, 'GET', { accept: 'text/event-stream', 'last-event-id': primingId, ...sessionHeaders(id) })
  await resumed.until((text) => text.includes('during'))
  app.mcpSessions.notify(id, { method: 'after' })
  await resumed.until((text) => text.includes('after'))
  t.same(sseMessages(resumed.text).map((m) => m.method), ['first', 'during', 'after'])
  const firstId = parseSse(resumed.text)[0].id!
  resumed.destroy()
  while (app.mcpSessions.get(id)!.streams.size > 0) await new Promise((resolve) => setTimeout(resolve, 2))
  // A store that loses the events between two replays ends the resumed connection.
  once = true
  failAt = calls + 2
  onReplay = () => { if (once) { once = false; app.mcpSessions.notify(id, { method: 'lost' }) } }
  const cut = rawRequest(port, 'GET', { accept: 'text/event-stream', 'last-event-id': firstId, ...sessionHeaders(id) })
  await cut.until(() => cut.ended)
  t.notMatch(cut.text, /"lost"/)
})
