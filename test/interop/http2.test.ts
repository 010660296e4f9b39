// Fastify with `http2: true` (h2c here; the same code path as TLS): Host arrives as the
// :authority pseudo-header, SSE responses carry no HTTP/1 connection header, and every
// event arrives intact.
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { test, type Test } from 'tap'
import Fastify from 'fastify'
import mcpTransport, { type McpTransportOptions } from '../../lib/index.js'
import { initializeBody, parseSse, sseMessages, testServer } from '../helpers.js'

interface Answer { status: number, headers: http2.IncomingHttpHeaders, body: string }

async function h2App (t: Test, options: Partial<McpTransportOptions> = {}) {
  const app = Fastify({ http2: true })
  await app.register(mcpTransport, { server: testServer(), ...options })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const client = http2.connect(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`)
  t.teardown(async () => { client.close(); await app.close() })
  function request (headers: http2.OutgoingHttpHeaders, body?: unknown): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const stream = client.request({ ':method': 'POST', ':path': '/mcp', 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers })
      let text = ''
      let head: http2.IncomingHttpHeaders = {}
      stream.setEncoding('utf8')
      stream.on('response', (h) => { head = h })
      stream.on('data', (chunk: string) => { text += chunk })
      stream.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: text }))
      stream.on('error', reject)
      stream.end(body === undefined ? undefined : JSON.stringify(body))
    })
  }
  return { app, request }
}

const LATEST = '2025-11-25'

test('over HTTP/2 the Host check reads :authority, and a session works end to end', async (t) => {
  const { request } = await h2App(t)
  const init = await request({}, initializeBody())
  t.equal(init.status, 200, 'the :authority 127.0.0.1:<port> passes the DNS-rebinding guard')
  const id = init.headers['mcp-session-id'] as string
  t.type(id, 'string')
  const session = { 'mcp-session-id': id, 'mcp-protocol-version': LATEST }
  t.equal((await request(session, { jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202)
  const call = await request(session, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'over h2' } } })
  t.same(JSON.parse(call.body).result.content[0].text, 'over h2')
  const deleted = await request({ ...session, ':method': 'DELETE' })
  t.equal(deleted.status, 200, deleted.body)
})

test('a foreign :authority is refused as a foreign Host is', async (t) => {
  const { request } = await h2App(t)
  const res = await request({ ':authority': 'evil.example.com' }, initializeBody())
  t.equal(res.status, 403)
  t.match(JSON.parse(res.body).error.message, /Host evil\.example\.com is not allowed/)
})

test('SSE answers over HTTP/2: no connection header, and every event intact, many times over', async (t) => {
  const { request } = await h2App(t)
  const init = await request({}, initializeBody())
  const session = { 'mcp-session-id': init.headers['mcp-session-id'] as string, 'mcp-protocol-version': LATEST }
  for (let n = 0; n < 25; n++) {
    const res = await request(session, { jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: 'progress', arguments: { steps: 3 }, _meta: { progressToken: `p${n}` } } })
    t.equal(res.headers['content-type'], 'text/event-stream')
    t.equal(res.headers.connection, undefined)
    const events = parseSse(res.body)
    t.equal(events.length, 5, 'priming, three progress notifications, the result')
    t.ok(events.every((e) => /^[a-z0-9]+_[1-5]$/.test(e.id!)), 'every event id whole')
    t.same(sseMessages(res.body).map((m) => m.params?.progress ?? m.result?.content[0].text), [1, 2, 3, 'done'])
  }
})

test('an oversized body over HTTP/2 gets 413 without an HTTP/1 connection header', async (t) => {
  const { request } = await h2App(t, { bodyLimit: 1024 })
  const res = await request({}, { ...initializeBody(), padding: 'x'.repeat(2048) })
  t.equal(res.status, 413)
  t.equal(res.headers.connection, undefined)
  t.equal(JSON.parse(res.body).error.code, -32600)
})
