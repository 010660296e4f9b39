import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { test } from 'tap'
import { buildApp, initSession, initializeBody, post, sessionHeaders } from '../helpers.js'

test('a client that never reads its stream is cut off at the queue bound, not buffered forever', async (t) => {
  const queueBound = 256 * 1024
  const app = await buildApp({ maxStreamQueueBytes: queueBound, heartbeatInterval: 0 })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const id = await initSession(app)
  // A raw socket with a tiny receive window that never reads after the headers.
  const socket = connect({ port, host: '127.0.0.1' })
  t.teardown(() => socket.destroy())
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(`GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nMcp-Session-Id: ${id}\r\nMcp-Protocol-Version: 2025-11-25\r\n\r\n`)
  await new Promise((resolve) => socket.once('data', resolve))
  socket.pause()
  const session = app.mcpSessions.get(id)!
  t.equal(session.streams.size, 1)
  const heapBefore = process.memoryUsage().heapUsed
  const payload = 'x'.repeat(8 * 1024)
  let sent = 0
  // Flood: 64 MB offered to a reader that takes nothing.
  for (let i = 0; i < 8192 && session.streams.size > 0; i++) {
    app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: payload } })
    sent++
    if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve))
  }
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore
  t.equal(session.streams.size, 0, `the stream was closed after ${sent} messages`)
  t.ok(sent < 8192, 'closed long before the flood ended')
  t.comment(`closed after ${sent} messages (${(sent * payload.length / 1024 / 1024).toFixed(1)} MB offered), heap growth ${(heapGrowth / 1024 / 1024).toFixed(1)} MB`)
  t.ok(heapGrowth < 64 * 1024 * 1024, 'the heap did not take the flood')
  t.equal(app.mcpSessions.size, 1, 'the session survives; the client can resume with Last-Event-ID')
})

test('per-session limits answer 503 instead of taking the server down', async (t) => {
  const app = await buildApp({ maxRequestsPerSession: 2, maxStreamsPerSession: 1 })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const wait = (n: number) => post(app, { jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'wait', arguments: { ms: 300 } } }, sessionHeaders(id))
  const running = [wait(1), wait(2)]
  while (app.mcpSessions.list()[0].inflight < 2) await new Promise((resolve) => setImmediate(resolve))
  const third = await wait(3)
  t.equal(third.statusCode, 503)
  t.match(third.json().error.message, /maximum of 2 requests in flight/)
  t.equal(third.json().id, 3)
  await Promise.all(running)
  const get1 = await app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', ...sessionHeaders(id) }, payloadAsStream: true })
  t.equal(get1.statusCode, 200)
  const get2 = await app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', ...sessionHeaders(id) } })
  t.equal(get2.statusCode, 503)
  t.match(get2.json().error.message, /maximum of 1 open streams/)
  const call = await post(app, { jsonrpc: '2.0', id: 9, method: 'ping' }, sessionHeaders(id))
  t.equal(call.statusCode, 503, 'a request that might need a stream is refused too')
  get1.stream().destroy()
})

test('a batch larger than the in-flight limit is refused whole', async (t) => {
  const app = await buildApp({ maxRequestsPerSession: 2 })
  t.teardown(() => app.close())
  const id = await initSession(app, '2025-03-26')
  const res = await post(app, [1, 2, 3].map((n) => ({ jsonrpc: '2.0', id: n, method: 'ping' })), sessionHeaders(id, '2025-03-26'))
  t.equal(res.statusCode, 503)
})

test('server-to-client requests beyond maxPendingPerSession fail at once', async (t) => {
  const { createMcpServer } = await import('../../lib/index.js')
  const server = createMcpServer({ name: 's', version: '1' })
  server.tool('fanout', {}, async (_args, ctx) => {
    const results = await Promise.allSettled([ctx.request('roots/list', undefined, { timeout: 50 }), ctx.request('roots/list', undefined, { timeout: 50 })])
    return results.map((r) => r.status === 'rejected' ? (r.reason as Error).message : 'ok').join(' | ')
  })
  const app = await buildApp({ maxPendingPerSession: 1 }, server)
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'fanout', arguments: {} } }, sessionHeaders(id))
  const text = res.body
  t.match(text, /Too many requests waiting for the client \(maxPendingPerSession is 1\)/)
  t.match(text, /timed out after 50 ms/)
})

test('10,000 sessions abandoned without DELETE: counts return to zero and the heap comes back', async (t) => {
  const app = await buildApp({ sessionTimeout: 1000, maxSessions: 20_000 })
  t.teardown(() => app.close())
  const gc = (globalThis as { gc?: () => void }).gc
  const settle = async () => { for (let i = 0; i < 3; i++) { gc?.(); await new Promise((resolve) => setTimeout(resolve, 20)) } }
  await settle()
  const heapStart = process.memoryUsage().heapUsed
  const body = JSON.stringify(initializeBody())
  for (let i = 0; i < 10_000; i++) {
    const res = await post(app, body)
    if (res.statusCode !== 200) throw new Error(`initialize ${i} failed: ${res.statusCode}`)
  }
  t.equal(app.mcpSessions.totalCreated, 10_000)
  const live = app.mcpSessions.size
  const heapFull = process.memoryUsage().heapUsed
  const keepAlive = setInterval(() => {}, 100)
  const deadline = Date.now() + 10_000
  while (app.mcpSessions.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  clearInterval(keepAlive)
  t.equal(app.mcpSessions.size, 0, 'every session expired')
  const health = (await app.inject('/health')).json()
  t.equal(health.active_sessions, 0)
  t.equal(health.open_streams, 0)
  await settle()
  const heapEnd = process.memoryUsage().heapUsed
  const perSession = (heapFull - heapStart) / live
  t.comment(`heap: start ${(heapStart / 1048576).toFixed(1)} MB, with ${live} live sessions ${(heapFull / 1048576).toFixed(1)} MB (${Math.round(perSession)} B/session), after expiry ${(heapEnd / 1048576).toFixed(1)} MB${gc === undefined ? ' (no --expose-gc: figures include garbage)' : ''}`)
  t.ok(gc !== undefined, 'run with --expose-gc (the tap config passes it) so the heap figures are real')
  // Within 5 % of the start, or 2 MB for the noise of a small heap.
  t.ok(heapEnd - heapStart < Math.max(heapStart * 0.05, 2 * 1048576), 'the heap is back near its start')
})
