// Everything that starts, stops: after many sessions and streams have come and gone by
// every exit path, no session, stream, timer or listener is left behind.
import { getEventListeners } from 'node:events'
import type { Readable } from 'node:stream'
import { test, type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import mcpTransport, { createMcpServer, type McpTransportOptions } from '../../lib/index.js'
import { ACCEPT_BOTH, buildApp, initializeBody, post, sessionHeaders, sseMessages } from '../helpers.js'
import { listenOnLoopback } from './support/listening-app.js'
import { ProbeServer, probeCall } from './support/probe-server.js'
import { rawRequest, startRequest, type PendingRequest, type RawResponse } from './support/raw-http.js'
import { ResponseListeners } from './support/response-listeners.js'
import { refTimerCount, settleTimers, trackTimers } from './support/timer-tracker.js'
import { waitUntil, within } from './support/wait-until.js'

const SESSIONS = 1000
const CONCURRENCY = 20
// On close, in-flight calls get shutdownTimeout to finish on their own before they are
// aborted; the probe calls never would, so close() takes that long plus the release.
const SHUTDOWN_TIMEOUT = 100

interface ObservedApp {
  app: FastifyInstance
  probe: ProbeServer
  listeners: ResponseListeners
  url: URL
}

async function observedApp (options: Partial<McpTransportOptions>): Promise<ObservedApp> {
  const probe = new ProbeServer()
  const app = Fastify({ logger: false })
  const listeners = new ResponseListeners(app)
  await app.register(mcpTransport, { server: probe.server, ...options })
  const url = await listenOnLoopback(app)
  return { app, probe, listeners, url }
}

async function readAll (stream: Readable): Promise<string> {
  let text = ''
  for await (const chunk of stream) text += String(chunk)
  return text
}

async function initialize (app: FastifyInstance): Promise<string> {
  const res = await post(app, initializeBody())
  if (res.statusCode !== 200) throw new Error(`initialize failed: ${res.statusCode} ${res.body}`)
  return res.headers['mcp-session-id'] as string
}

function openGetByInject (app: FastifyInstance, id: string) {
  return app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', ...sessionHeaders(id) }, payloadAsStream: true })
}

function deleteSession (app: FastifyInstance, id: string) {
  return app.inject({ method: 'DELETE', url: '/mcp', headers: sessionHeaders(id) })
}

/**
 * One session's whole life, by one of four paths (index % 4), so that every way in and
 * out is taken 250 times:
 * 0: GET stream (inject) + a call waiting on a server-to-client request, ended by DELETE;
 * 1: GET stream on a real socket that the client drops, then the session expires idle;
 * 2: nothing open, ended by DELETE;
 * 3: a call in flight, ended by fastify.mcpSessions.close(id).
 * Returns a description of anything that went wrong, or null.
 */
async function lifecycle ({ app, probe, url }: ObservedApp, index: number): Promise<string | null> {
  const id = await initialize(app)
  const kind = index % 4
  if (kind === 0) {
    const get = await openGetByInject(app, id)
    if (get.statusCode !== 200) return `GET ${get.statusCode}`
    const started = probe.startedIn(id)
    const call = post(app, probeCall(2, true), sessionHeaders(id))
    await started
    const del = await deleteSession(app, id)
    if (del.statusCode !== 200) return `DELETE ${del.statusCode}`
    await within(readAll(get.stream()), 2000, 'the GET stream to end after DELETE')
    const answered = await within(call, 2000, 'the in-flight call to be answered after DELETE')
    const sent = sseMessages(answered.body)
    if (sent[0]?.method !== 'roots/list') return `call stream carried ${answered.body}`
    return null
  }
  if (kind === 1) {
    const get = await rawRequest(url, { headers: { accept: 'text/event-stream', ...sessionHeaders(id) } })
    get.destroy()
    return get.status === 200 ? null : `socket GET ${get.status}`
  }
  if (kind === 2) {
    const del = await deleteSession(app, id)
    return del.statusCode === 200 ? null : `DELETE ${del.statusCode}`
  }
  const started = probe.startedIn(id)
  const call = post(app, probeCall(2, false), sessionHeaders(id))
  await started
  if (!app.mcpSessions.close(id)) return 'close(id) found no session'
  const answered = await within(call, 2000, 'the in-flight call to end after close(id)')
  return answered.statusCode === 200 ? null : `call ${answered.statusCode}`
}

test(`${SESSIONS} sessions and streams come and go, and every count returns to zero`, async (t) => {
  const observed = await observedApp({ sessionTimeout: 1000, heartbeatInterval: 50 })
  const { app, probe, listeners } = observed
  t.teardown(() => app.close())
  const refTimersBefore = refTimerCount()
  const timers = trackTimers()
  t.teardown(timers.stop)

  const problems: string[] = []
  for (let base = 0; base < SESSIONS; base += CONCURRENCY) {
    const batch: Array<Promise<string | null>> = []
    for (let i = base; i < base + CONCURRENCY; i++) batch.push(lifecycle(observed, i))
    for (const problem of await Promise.all(batch)) if (problem !== null) problems.push(problem)
  }
  t.same(problems, [], 'every lifecycle went as expected')

  // The dropped-GET sessions (a quarter) expire on the sweeper; the rest are gone already.
  t.ok(app.mcpSessions.size <= SESSIONS / 4, 'only sessions waiting to expire are left')
  await waitUntil(() => app.mcpSessions.size === 0, 'every idle session expired', 5000)
  t.same(app.mcpSessions.list(), [])

  const health = await app.inject({ method: 'GET', url: '/health' })
  t.match(health.json(), { active_sessions: 0, open_streams: 0, total_sessions: SESSIONS })

  await settleTimers()
  t.same(timers.alive(), [], 'no timer created while sessions lived is still alive (sweeper, heartbeat, request timeouts)')
  t.ok(refTimerCount() <= refTimersBefore, 'no more ref\'d timers than before')

  t.equal(probe.signals.length, SESSIONS / 2, 'a call was in flight in half of the sessions')
  t.ok(probe.signals.every((s) => s.aborted), 'every in-flight call saw its signal abort')
  t.same(probe.signals.map((s) => getEventListeners(s, 'abort').length).filter((n) => n > 0), [], 'no abort listener is left on any signal')

  t.ok(listeners.count >= SESSIONS * 2, `${listeners.count} responses observed`)
  t.same(listeners.leftovers(), [], 'no response keeps a close or drain listener it was given')
})

test('app.close() with open streams and calls in flight releases everything, promptly', async (t) => {
  const observed = await observedApp({ heartbeatInterval: 50, shutdownTimeout: SHUTDOWN_TIMEOUT })
  const { app, probe, listeners, url } = observed
  const timers = trackTimers()
  t.teardown(timers.stop)
  const headers = { 'content-type': 'application/json', accept: ACCEPT_BOTH }

  const getBodies: Array<RawResponse['body']> = []
  const callBodies: Array<RawResponse['body']> = []
  for (let i = 0; i < 6; i++) {
    const init = await rawRequest(url, { method: 'POST', headers, body: JSON.stringify(initializeBody()) })
    t.equal(init.status, 200)
    await init.body
    const id = init.headers['mcp-session-id'] as string
    const get = await rawRequest(url, { headers: { accept: 'text/event-stream', ...sessionHeaders(id) } })
    t.equal(get.status, 200)
    getBodies.push(get.body)
    // Even sessions wait on a roots/list request (an SSE answer already open); odd ones
    // hold a plain JSON answer that has not been written yet.
    const started = probe.startedIn(id)
    const call = rawRequest(url, { method: 'POST', headers: { ...headers, ...sessionHeaders(id) }, body: JSON.stringify(probeCall(2, i % 2 === 0)) })
    await started
    callBodies.push(call.then((res) => res.body))
  }
  t.equal(app.mcpSessions.size, 6)
  t.equal(app.mcpSessions.list().reduce((n, s) => n + s.streams, 0), 9, 'six GET streams and three call streams are open')

  const began = Date.now()
  await within(app.close(), 3000, 'app.close()')
  const took = Date.now() - began
  t.ok(took < SHUTDOWN_TIMEOUT + 900, `close() returned in ${took} ms (shutdownTimeout ${SHUTDOWN_TIMEOUT} ms)`)
  t.equal(app.server.listening, false)
  t.equal(app.mcpSessions.size, 0)

  const gets = await within(Promise.all(getBodies), 2000, 'every GET stream to end')
  t.same(gets.map((g) => g.ended), gets.map(() => 'done'), 'every GET stream ended cleanly')
  const calls = await within(Promise.all(callBodies), 2000, 'every in-flight call to end')
  t.same(calls.map((c) => c.ended), calls.map(() => 'done'), 'every in-flight call was answered and ended')

  t.equal(probe.signals.length, 6)
  // Calls waiting on the client are told at shutdown start and finish on their own (even
  // indexes); the others are aborted when the drain bound passes.
  t.ok(probe.signals.every((s, i) => i % 2 === 0 || s.aborted), 'every call that outlived the drain saw its signal abort')
  t.same(probe.signals.map((s) => getEventListeners(s, 'abort').length).filter((n) => n > 0), [])
  await settleTimers()
  t.same(timers.alive(), [], 'no timer left alive')
  t.same(listeners.leftovers(), [])
})

// The zero counts above mean something only if the same probes see these resources while
// they are alive.
test('the leak probes see the sweeper, the heartbeat and a stream\'s listeners while they live', async (t) => {
  const timers = trackTimers()
  t.teardown(timers.stop)
  const { app, probe, listeners } = await observedApp({ sessionTimeout: 60_000, heartbeatInterval: 60_000 })
  t.teardown(() => app.close())
  const id = await initialize(app)
  const get = await openGetByInject(app, id)
  t.equal(get.statusCode, 200)
  const alive = timers.alive()
  t.ok(alive.some((stack) => stack.includes('session-registry')), 'the idle sweeper is seen')
  t.ok(alive.some((stack) => stack.includes('stream-hub')), 'the heartbeat is seen')
  t.match(listeners.leftovers(), [/^GET \/mcp: close \d+→\d+, drain 0→1$/], 'the open stream\'s listeners are seen')
  const started = probe.startedIn(id)
  const call = post(app, probeCall(2, true), sessionHeaders(id))
  await started
  t.ok(getEventListeners(probe.signals[0], 'abort').length >= 1, 'the pending roots/list request\'s abort listener is seen')
  t.ok(timers.alive().some((stack) => stack.includes('dispatcher')), 'the roots/list timeout is seen')
  const health = await app.inject({ method: 'GET', url: '/health' })
  t.match(health.json(), { active_sessions: 1, open_streams: 2 })

  await deleteSession(app, id)
  await within(readAll(get.stream()), 2000, 'the GET stream to end')
  await within(call, 2000, 'the call to end')
  t.equal(getEventListeners(probe.signals[0], 'abort').length, 0)
  await settleTimers()
  t.same(timers.alive(), [], 'both timers stop with the last session and stream')
  t.same(listeners.leftovers(), [])
})

/** A server whose tool never finishes and never looks at its AbortSignal. */
async function stubbornCall (t: Test): Promise<{ app: FastifyInstance, url: URL, id: string, call: PendingRequest }> {
  const server = createMcpServer({ name: 'stubborn', version: '1.0.0' })
  server.tool('stubborn', { description: 'Ignores cancellation', input: Type.Object({}) }, () => new Promise(() => {}))
  const app = await buildApp({ shutdownTimeout: SHUTDOWN_TIMEOUT }, server)
  const url = await listenOnLoopback(app)
  const headers = { 'content-type': 'application/json', accept: ACCEPT_BOTH }
  const init = await rawRequest(url, { method: 'POST', headers, body: JSON.stringify(initializeBody()) })
  await init.body
  const id = init.headers['mcp-session-id'] as string
  const call = startRequest(url, { method: 'POST', headers: { ...headers, ...sessionHeaders(id) }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'stubborn', arguments: {} } }) })
  // Dropping the client's connection is what finally lets a hung close() finish.
  t.teardown(async () => {
    call.destroy()
    await within(app.close(), 2000, 'app.close() once the client went away')
  })
  await waitUntil(() => app.mcpSessions.get(id)?.inflight.size === 1, 'the stubborn call to start')
  return { app, url, id, call }
}

/** The response's whole body, or 'still open' when it did not end within `ms`. */
async function endedWithin (call: PendingRequest, ms: number): Promise<string> {
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still open'), ms).unref())
  const ended = call.response.then(async (res) => `${res.status} ${(await res.body).ended}`, () => 'connection error')
  return Promise.race([ended, timeout])
}

// Found by this suite. Session.close() aborts the handler's signal, but Dispatcher.run()
// still awaits the handler before the POST is answered, so a handler that ignores the
// signal holds the POST (and its connection) open after the session is gone.
test('bug: after DELETE, a call whose handler ignores its AbortSignal is never answered', async (t) => {
  const { url, id, call } = await stubbornCall(t)
  const del = await rawRequest(url, { method: 'DELETE', headers: sessionHeaders(id) })
  t.equal(del.status, 200)
  t.not(await endedWithin(call, 1000), 'still open', 'the call\'s POST ends once its session ended')
})

// Same cause: Fastify's close() waits for every connection with a request in progress.
test('bug: app.close() waits forever for a call whose handler ignores its AbortSignal', async (t) => {
  const { app, call } = await stubbornCall(t)
  const closing = app.close().then(() => 'closed')
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('still closing'), 1000).unref())
  t.equal(await Promise.race([closing, timeout]), 'closed', `close() returns within shutdownTimeout (${SHUTDOWN_TIMEOUT} ms) and a margin`)
  t.not(await endedWithin(call, 100), 'still open', 'the call\'s POST was ended by the shutdown')
})
