import { test } from 'tap'
import type { McpServerContract } from '../../lib/index.js'
import { createMcpServer, McpError } from '../../lib/index.js'
import { buildApp, initSession, testServer } from '../helpers.js'
import { initializeMessage, openLegacy, postMessage, type InjectedSse } from './sse-reader.js'

async function initialized (app: Awaited<ReturnType<typeof buildApp>>): Promise<InjectedSse> {
  const sse = await openLegacy(app)
  await postMessage(app, sse.sessionId, initializeMessage(0))
  await sse.reader.message()
  await postMessage(app, sse.sessionId, { jsonrpc: '2.0', method: 'notifications/initialized' })
  return sse
}

test('initialize records what was negotiated on the session it was sent to', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  t.equal(app.mcpSessions.list()[0].protocolVersion, '', 'nothing negotiated before initialize')
  await postMessage(app, sse.sessionId, initializeMessage(1, '2025-06-18'))
  t.equal((await sse.reader.message()).result.protocolVersion, '2025-06-18')
  const [summary] = app.mcpSessions.list()
  t.equal(summary.protocolVersion, '2025-06-18')
  t.same(summary.clientInfo, { name: 'legacy-tap', version: '1.0.0' })
  sse.res.stream().destroy()
})

test('a tools/call with a progressToken streams progress, then the result, all as message events', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await initialized(app)
  const res = await postMessage(app, sse.sessionId, {
    jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'progress', arguments: { steps: 2 }, _meta: { progressToken: 'tok' } }
  })
  t.equal(res.statusCode, 202)
  t.same(await sse.reader.message(), { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'tok', progress: 1, total: 2 } })
  t.same(await sse.reader.message(), { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'tok', progress: 2, total: 2 } })
  t.same(await sse.reader.message(), { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'done' }] } })
  sse.res.stream().destroy()
})

test('a server-to-client request goes on the stream and the POSTed answer settles it (202)', async (t) => {
  const server = createMcpServer({ name: 'roots', version: '1.0.0' })
  server.tool('roots', { description: 'Asks the client for its roots' }, async (_args, ctx) => {
    const result = await ctx.request('roots/list')
    return `roots: ${(result.roots as unknown[]).length}`
  })
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const sse = await initialized(app)
  await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'roots' } })
  const ask = await sse.reader.message()
  t.equal(ask.method, 'roots/list')
  const answer = await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: ask.id, result: { roots: [{ uri: 'file:///a' }] } })
  t.equal(answer.statusCode, 202)
  t.same(await sse.reader.message(), { jsonrpc: '2.0', id: 3, result: { content: [{ type: 'text', text: 'roots: 1' }] } })
  sse.res.stream().destroy()
})

test('closeStream on the HTTP+SSE stream does nothing: that stream is the session', async (t) => {
  const server = createMcpServer({ name: 'closer', version: '1.0.0' })
  server.tool('close', { description: 'Tries to close its stream' }, (_args, ctx) => `closed: ${String(ctx.closeStream())}`)
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const sse = await initialized(app)
  await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'close' } })
  t.same(await sse.reader.message(), { jsonrpc: '2.0', id: 4, result: { content: [{ type: 'text', text: 'closed: false' }] } })
  t.equal(app.mcpSessions.size, 1, 'the session and its stream live on')
  sse.res.stream().destroy()
})

test('a cancelled request gets no response and the stream stays open for the session', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await initialized(app)
  await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'wait', arguments: { ms: 5000 } } })
  const cancel = await postMessage(app, sse.sessionId, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 4, reason: 'no longer needed' } })
  t.equal(cancel.statusCode, 202)
  await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: 5, method: 'ping' })
  t.same(await sse.reader.message(), { jsonrpc: '2.0', id: 5, result: {} }, 'the next message is the ping answer, not a response to 4')
  t.equal(app.mcpSessions.size, 1)
  t.equal(app.mcpSessions.list()[0].inflight, 0)
  sse.res.stream().destroy()
})

test('notifications are handed to the server and answered 202', async (t) => {
  const server = testServer()
  const seen: string[] = []
  server.handleNotification = (notification) => { seen.push(notification.method) }
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  await postMessage(app, sse.sessionId, initializeMessage(1))
  await sse.reader.message()
  const res = await postMessage(app, sse.sessionId, { jsonrpc: '2.0', method: 'notifications/initialized' })
  t.equal(res.statusCode, 202)
  t.same(seen, ['notifications/initialized'])
  sse.res.stream().destroy()
})

test('a second initialize on the session → 400 with a JSON-RPC error; the session stays', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await initialized(app)
  const res = await postMessage(app, sse.sessionId, initializeMessage(9))
  t.equal(res.statusCode, 400)
  t.equal(res.json().id, 9)
  t.equal(res.json().error.code, -32600)
  t.match(res.json().error.message, /already initialized/)
  t.equal(app.mcpSessions.size, 1)
  sse.res.stream().destroy()
})

test('a failed initialize sends its error on the stream, then ends the stream and the session', async (t) => {
  const server: McpServerContract = {
    handleRequest () { throw new McpError(-32602, 'Unsupported client') }
  }
  const app = await buildApp({ server })
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  t.equal((await postMessage(app, sse.sessionId, initializeMessage(1))).statusCode, 202)
  t.same(await sse.reader.message(), { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'Unsupported client' } })
  t.equal(await sse.reader.waitEnd(), true)
  t.equal(app.mcpSessions.size, 0)
})

test('a cancelled initialize ends the stream and the session without a response', async (t) => {
  const server: McpServerContract = {
    handleRequest (_request, context) {
      return new Promise((resolve) => context.signal.addEventListener('abort', () => resolve({})))
    }
  }
  const app = await buildApp({ server })
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  await postMessage(app, sse.sessionId, initializeMessage(1))
  await postMessage(app, sse.sessionId, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } })
  t.equal(await sse.reader.waitEnd(), true)
  t.equal(sse.reader.raw.includes('"id":1'), false, 'no response was sent')
  t.equal(app.mcpSessions.size, 0)
})

test('POST /messages with an unknown sessionId → 404', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await postMessage(app, 'no-such-session', initializeMessage())
  t.equal(res.statusCode, 404)
  t.equal(res.json().error.code, -32001)
})

test('POST /messages with the id of a Streamable HTTP session → 404', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await postMessage(app, id, { jsonrpc: '2.0', id: 2, method: 'tools/list' })
  t.equal(res.statusCode, 404)
})

test('POST /messages without a sessionId → 400 that says where to POST', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  for (const url of ['/messages', '/messages?sessionId=']) {
    const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(initializeMessage()) })
    t.equal(res.statusCode, 400, url)
    t.match(res.json().error.message, /sessionId query parameter/)
  }
})

test('POST /messages with a body that is not JSON → 400, -32700', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  const res = await postMessage(app, sse.sessionId, '{"jsonrpc": "2.0", ')
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32700)
  sse.res.stream().destroy()
})

test('POST /messages with a body that is not JSON-RPC → 400, -32600', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  const res = await postMessage(app, sse.sessionId, { jsonrpc: '1.0', id: 1, method: 'ping' })
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32600)
  sse.res.stream().destroy()
})

test('POST /messages with a batch → 400: one message per POST in this transport', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  const res = await postMessage(app, sse.sessionId, [{ jsonrpc: '2.0', id: 1, method: 'ping' }])
  t.equal(res.statusCode, 400)
  t.equal(res.json().error.code, -32600)
  t.match(res.json().error.message, /one message per POST/)
  sse.res.stream().destroy()
})

test('POST /messages with another content type → 415', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  const res = await postMessage(app, sse.sessionId, JSON.stringify(initializeMessage()), { 'content-type': 'text/plain' })
  t.equal(res.statusCode, 415)
  sse.res.stream().destroy()
})

test('POST /messages larger than bodyLimit → 413', async (t) => {
  const app = await buildApp({ bodyLimit: 256 })
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  const res = await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x'.repeat(1000) } } })
  t.equal(res.statusCode, 413)
  t.equal(res.json().error.code, -32600)
  t.match(res.json().error.message, /256 bytes/)
  sse.res.stream().destroy()
})

test('POST /messages from a foreign Origin or to a rebound Host → 403', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  const origin = await postMessage(app, sse.sessionId, initializeMessage(), { origin: 'https://evil.example' })
  t.equal(origin.statusCode, 403)
  const host = await postMessage(app, sse.sessionId, initializeMessage(), { host: 'evil.example:80' })
  t.equal(host.statusCode, 403)
  t.equal(app.mcpSessions.list()[0].protocolVersion, '', 'the refused initialize did nothing')
  sse.res.stream().destroy()
})

test('POST /messages with an unsupported MCP-Protocol-Version → 400', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await initialized(app)
  const res = await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: 2, method: 'ping' }, { 'mcp-protocol-version': '1999-01-01' })
  t.equal(res.statusCode, 400)
  t.match(res.json().error.message, /Unsupported protocol version/)
  sse.res.stream().destroy()
})

test('requests beyond maxRequestsPerSession → 503, as on the Streamable HTTP endpoint', async (t) => {
  const app = await buildApp({ maxRequestsPerSession: 1 })
  t.teardown(() => app.close())
  const sse = await initialized(app)
  await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'wait', arguments: { ms: 5000 } } })
  const busy = await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: 3, method: 'ping' })
  t.equal(busy.statusCode, 503)
  t.equal(busy.json().id, 3)
  const note = await postMessage(app, sse.sessionId, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 2 } })
  t.equal(note.statusCode, 202, 'notifications are not limited')
  t.equal((await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: 4, method: 'ping' })).statusCode, 202)
  t.same(await sse.reader.message(), { jsonrpc: '2.0', id: 4, result: {} })
  sse.res.stream().destroy()
})

test('an initialize without params still gets an answer, in the newest version', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: 1, method: 'initialize' })
  const response = await sse.reader.message()
  t.equal(response.id, 1)
  t.equal(response.result.protocolVersion, app.mcpSessions.list()[0].protocolVersion)
  t.not(response.result.protocolVersion, '')
  sse.res.stream().destroy()
})
