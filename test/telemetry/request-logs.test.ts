// Every log line the plugin writes about a client message carries the session id, the
// JSON-RPC id and the method, under the span attributes' keys, so logs and traces join.
// With or without telemetry: the keys come from a lazily made pino child.
import { Writable } from 'node:stream'
import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import mcpTransport, { type McpServerContract } from '../../lib/index.js'
import { initSession, post, sessionHeaders, testServer } from '../helpers.js'
import { modernRequest } from '../modern/modern-helpers.js'

async function loggedApp (server: McpServerContract = testServer()): Promise<{ app: FastifyInstance, lines: any[], children: () => number }> {
  const lines: any[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done() } })
  const app = Fastify({ logger: { level: 'debug', stream } })
  let children = 0
  // Counts the children made from each request's logger: a request that logs nothing makes none.
  app.addHook('onRequest', (request, _reply, done) => {
    const child = request.log.child.bind(request.log)
    request.log.child = ((...args: Parameters<typeof child>) => { children++; return child(...args) }) as typeof child
    done()
  })
  await app.register(mcpTransport, { server })
  await app.ready()
  return { app, lines, children: () => children }
}

test('a failing tool logs with mcp.session.id, jsonrpc.request.id and mcp.method.name', async (t) => {
  const { app, lines, children } = await loggedApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  await post(app, { jsonrpc: '2.0', id: 21, method: 'tools/call', params: { name: 'echo', arguments: { text: 'quiet' } } }, sessionHeaders(id))
  t.equal(children(), 0, 'a request that logs nothing makes no child logger')
  await post(app, { jsonrpc: '2.0', id: 22, method: 'tools/call', params: { name: 'boom' } }, sessionHeaders(id))
  t.equal(children(), 1, 'one child, made when the tool failure was logged')
  const line = lines.find((l) => l.msg === 'MCP tool failed')
  t.match(line, { 'mcp.session.id': id, 'jsonrpc.request.id': '22', 'mcp.method.name': 'tools/call', reqId: String })
})

test('a modern-era request logs with its JSON-RPC id and method (it has no session)', async (t) => {
  const { app, lines } = await loggedApp()
  t.teardown(() => app.close())
  await modernRequest(app, 'tools/call', { name: 'boom', arguments: {} }, { id: 'm-1' })
  const line = lines.find((l) => l.msg === 'MCP tool failed')
  t.match(line, { 'jsonrpc.request.id': 'm-1', 'mcp.method.name': 'tools/call' })
  t.notOk('mcp.session.id' in line)
})

test('a failing notification handler logs with the session id and the method', async (t) => {
  const server: McpServerContract = {
    handleRequest: (request) => request.method === 'initialize'
      ? { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'n', version: '1' } }
      : {},
    handleNotification: (notification) => {
      if (notification.method === 'notifications/sync') throw new Error('sync broke')
      if (notification.method === 'notifications/async') return Promise.reject(new Error('async broke'))
    }
  }
  const { app, lines } = await loggedApp(server)
  t.teardown(() => app.close())
  const id = await initSession(app)
  await post(app, { jsonrpc: '2.0', method: 'notifications/sync' }, sessionHeaders(id))
  await post(app, { jsonrpc: '2.0', method: 'notifications/async' }, sessionHeaders(id))
  await new Promise((resolve) => setImmediate(resolve))
  const failures = lines.filter((l) => l.msg === 'MCP notification handler failed')
  t.same(failures.map((l) => [l['mcp.session.id'], l['mcp.method.name'], l.err.message]), [
    [id, 'notifications/sync', 'sync broke'],
    [id, 'notifications/async', 'async broke']
  ])
  t.notOk(failures.some((l) => 'jsonrpc.request.id' in l), 'a notification has no id')
})
