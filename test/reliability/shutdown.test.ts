import type { AddressInfo } from 'node:net'
import { Type } from '@sinclair/typebox'
import { test } from 'tap'
import { createMcpServer } from '../../lib/index.js'
import { buildApp, initSession, parseSse, sessionHeaders, ACCEPT_BOTH } from '../helpers.js'
import { readStream } from './support.js'

function server () {
  const s = createMcpServer({ name: 'shutdown', version: '1' })
  s.tool('sleep', { input: Type.Object({ ms: Type.Integer() }) }, async ({ ms }: { ms: number }, ctx) => {
    ctx.log('info', 'started')
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      ctx.signal.addEventListener('abort', () => { clearTimeout(timer); resolve() })
    })
    return ctx.signal.aborted ? 'aborted' : 'slept'
  })
  return s
}

async function start (options = {}) {
  const app = await buildApp({ shutdownTimeout: 1000, ...options }, server())
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, port: (app.server.address() as AddressInfo).port }
}

test('close during traffic: quick calls finish, slow ones are aborted at the bound, every stream ends', async (t) => {
  const { app, port } = await start()
  const sessions = await Promise.all(Array.from({ length: 20 }, () => initSession(app)))
  const call = (session: string, ms: number, n: number) => readStream(port, 'POST',
    { 'content-type': 'application/json', accept: ACCEPT_BOTH, ...sessionHeaders(session) },
    { jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'sleep', arguments: { ms } } }, Infinity, 10_000)
  const gets = sessions.map((session) => readStream(port, 'GET', { accept: 'text/event-stream', ...sessionHeaders(session) }, undefined, Infinity, 10_000))
  const quick = sessions.map((session, i) => call(session, 200, i))
  const slow = sessions.map((session, i) => call(session, 60_000, 100 + i))
  while (app.mcpSessions.list().reduce((n, s) => n + s.inflight, 0) < 40) await new Promise((resolve) => setTimeout(resolve, 5))
  const started = Date.now()
  await app.close()
  const took = Date.now() - started
  t.ok(took >= 150 && took < 3000, `close() took ${took} ms: waited for the quick calls, not for the slow ones`)
  for (const read of await Promise.all(quick)) {
    t.equal(read.complete, true)
    const last = parseSse(read.text).at(-1)!
    t.equal(JSON.parse(last.data).result.content[0].text, 'slept', 'a quick call got its answer')
  }
  for (const read of await Promise.all(slow)) {
    t.equal(read.complete, true, 'a slow call ended')
    t.notOk(parseSse(read.text).some((e) => e.data.includes('"result"')), 'an aborted call sends no response')
  }
  for (const read of await Promise.all(gets)) {
    t.equal(read.complete, true, 'every GET stream ended')
    t.match(read.text, /retry: 1000\n\n$/)
  }
  t.equal(app.mcpSessions.size, 0)
})

test('close() does not hang on a client that never reads', async (t) => {
  const { app, port } = await start({ heartbeatInterval: 0, maxStreamQueueBytes: 64 * 1024 * 1024 })
  const id = await initSession(app)
  const { connect } = await import('node:net')
  const socket = connect({ port, host: '127.0.0.1' })
  t.teardown(() => socket.destroy())
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(`GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nMcp-Session-Id: ${id}\r\n\r\n`)
  await new Promise((resolve) => socket.once('data', resolve))
  socket.pause()
  const big = 'x'.repeat(64 * 1024)
  for (let i = 0; i < 200; i++) app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: big } })
  const started = Date.now()
  await app.close()
  t.ok(Date.now() - started < 3000, `close() returned in ${Date.now() - started} ms`)
})
