// The SDK Transport contract of one session, driven directly: the routing rules and every
// edge no HTTP exchange reaches easily.
import { test } from 'tap'
import { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { ListRootsResultSchema } from '@modelcontextprotocol/sdk/types.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { McpError, type JsonRpcRequest, type McpServerHost, type RequestContext } from '../../lib/index.js'
import { SdkSessionTransport, fromSdkServer, type SdkServerLike } from '../../lib/adapters/index.js'
import { fakeContext } from '../server/fake-context.js'

const CALL: JsonRpcRequest = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 't' } }

function recordingHost () {
  const notified: Array<[string, unknown]> = []
  const host: McpServerHost = {
    notify: (id, notification) => { notified.push([id, notification]); return true },
    broadcast: () => 0,
    request: async () => { throw new Error('not used by these tests') }
  }
  return { host, notified }
}

/** A transport with a stand-in SDK on the other side that records what it receives. */
function wired (sessionId: string | undefined = 's1', host: McpServerHost | null = recordingHost().host) {
  const transport = new SdkSessionTransport(sessionId, () => host)
  const received: any[] = []
  const extras: any[] = []
  transport.onmessage = (message, extra) => { received.push(message); extras.push(extra) }
  return { transport, received, extras }
}

const session = (id: string) => ({ id, protocolVersion: '2025-11-25', clientCapabilities: {}, clientInfo: undefined, logLevel: undefined, state: new Map() })

test('start resolves, close runs onclose once and rejects the requests in flight', async (t) => {
  const { transport } = wired()
  await transport.start()
  let closes = 0
  transport.onclose = () => { closes++ }
  const pending = transport.request(CALL, fakeContext())
  await transport.close()
  await transport.close()
  t.equal(closes, 1)
  await t.rejects(pending, { code: -32000, message: 'The SDK server closed its connection' })
  await t.rejects(transport.request(CALL, fakeContext()), { code: -32000, message: 'The SDK server for this session was closed' })
  await transport.send({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } })
  t.pass('sending after close is ignored')
})

test('a request id already in flight is refused', async (t) => {
  const { transport } = wired()
  void transport.request(CALL, fakeContext())
  await t.rejects(transport.request(CALL, fakeContext()), { code: -32600, message: 'Request id 1 is already in use in this session' })
})

test('a request whose signal is already aborted is not delivered', async (t) => {
  const { transport, received } = wired()
  const controller = new AbortController()
  controller.abort(new McpError(-32000, 'gone'))
  await t.rejects(transport.request(CALL, fakeContext({ signal: controller.signal })), { message: 'gone' })
  t.same(received, [])
})

test('an abort is delivered to the SDK as notifications/cancelled, with the reason', async (t) => {
  for (const [reason, text] of [[new Error('client cancelled'), 'client cancelled'], ['plain reason', 'plain reason']] as const) {
    const { transport, received } = wired()
    const controller = new AbortController()
    const pending = transport.request(CALL, fakeContext({ signal: controller.signal }))
    controller.abort(reason)
    await t.rejects(pending)
    t.same(received[1], { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, reason: text } })
    await transport.send({ jsonrpc: '2.0', id: 1, result: {} })
    t.pass('a response after cancellation is dropped')
  }
})

test('the SDK response settles the request: a result, or an error with code and data', async (t) => {
  const { transport, received, extras } = wired()
  const first = transport.request(CALL, fakeContext())
  t.same(received, [CALL], 'the request reached the SDK as sent')
  t.type(extras[0].closeSSEStream, 'function')
  await transport.send({ jsonrpc: '2.0', id: 1, result: { content: [] } })
  t.same(await first, { content: [] })
  const second = transport.request({ ...CALL, id: 2 }, fakeContext())
  await transport.send({ jsonrpc: '2.0', id: 2, error: { code: -32602, message: 'bad', data: { why: 1 } } })
  await t.rejects(second, { code: -32602, message: 'bad', data: { why: 1 } })
  await transport.send({ jsonrpc: '2.0', id: 99, result: {} })
  t.pass('a response for an unknown id is dropped')
})

test('extra.closeSSEStream closes the request stream through the context', async (t) => {
  const { transport, extras } = wired()
  let closed = 0
  void transport.request(CALL, fakeContext({ closeStream: () => { closed++; return true } }))
  extras[0].closeSSEStream()
  t.equal(closed, 1)
})

test('notifications are routed by related request id', async (t) => {
  const { host, notified } = recordingHost()
  const { transport } = wired('s1', host)
  const context = fakeContext()
  void transport.request(CALL, context)
  const progress = { jsonrpc: '2.0' as const, method: 'notifications/progress', params: { progressToken: 'p', progress: 1 } }
  await transport.send(progress, { relatedRequestId: 1 })
  t.same(context.sent, [{ method: 'notifications/progress', params: { progressToken: 'p', progress: 1 } }], 'related: on the request stream')
  await transport.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })
  t.same(notified, [['s1', { method: 'notifications/tools/list_changed' }]], 'unrelated: on the session GET stream')
  await transport.send(progress, { relatedRequestId: 42 })
  t.equal(context.sent.length, 1, 'related to a finished request: dropped')
  t.equal(notified.length, 1)
})

test('unrelated notifications without a session, or before the adapter is attached, are dropped', async (t) => {
  const { host, notified } = recordingHost()
  await new SdkSessionTransport(undefined, () => host).send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })
  t.same(notified, [])
  await wired('s1', null).transport.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' })
  t.pass('no host, no crash')
})

test('an SDK request related to a client request is sent with context.request; its answer comes back under the SDK id', async (t) => {
  const { transport, received } = wired()
  let resolveOutbound!: (value: Record<string, unknown>) => void
  const asked: unknown[] = []
  const context = fakeContext({ request: (method, params) => { asked.push([method, params]); return new Promise((resolve) => { resolveOutbound = resolve }) } })
  void transport.request(CALL, context)
  await transport.send({ jsonrpc: '2.0', id: 0, method: 'roots/list' }, { relatedRequestId: 1 })
  t.same(asked, [['roots/list', undefined]])
  resolveOutbound({ roots: [] })
  await new Promise((resolve) => setImmediate(resolve))
  t.same(received.at(-1), { jsonrpc: '2.0', id: 0, result: { roots: [] } })
})

test('a failed server-to-client request reaches the SDK as an error response', async (t) => {
  const cases: Array<[unknown, Record<string, unknown>]> = [
    [new McpError(-32001, 'Request roots/list timed out after 10 ms'), { code: -32001, message: 'Request roots/list timed out after 10 ms' }],
    [new McpError(-1, 'User rejected', { reason: 'no' }), { code: -1, message: 'User rejected', data: { reason: 'no' } }],
    [new Error('socket gone'), { code: -32603, message: 'socket gone' }],
    ['weird', { code: -32603, message: 'weird' }]
  ]
  for (const [failure, error] of cases) {
    const { transport, received } = wired()
    void transport.request(CALL, fakeContext({ request: () => Promise.reject(failure) }))
    await transport.send({ jsonrpc: '2.0', id: 0, method: 'roots/list' }, { relatedRequestId: 1 })
    await new Promise((resolve) => setImmediate(resolve))
    t.same(received.at(-1), { jsonrpc: '2.0', id: 0, error }, error.message as string)
  }
})

test('when the SDK gives up on its request (its own timeout) the late answer is not delivered', async (t) => {
  const { host, notified } = recordingHost()
  const { transport, received } = wired('s1', host)
  let resolveOutbound!: (value: Record<string, unknown>) => void
  const context = fakeContext({ request: () => new Promise((resolve) => { resolveOutbound = resolve }) })
  void transport.request(CALL, context)
  await transport.send({ jsonrpc: '2.0', id: 0, method: 'roots/list' }, { relatedRequestId: 1 })
  await transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 0, reason: 'timeout' } }, { relatedRequestId: 1 })
  t.same(context.sent, [], 'the SDK id means nothing to the client: the cancellation is not forwarded')
  resolveOutbound({ roots: [] })
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(received.length, 1, 'only the original request reached the SDK')
  await transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7, reason: 'other' } }, { relatedRequestId: 1 })
  t.same(context.sent, [{ method: 'notifications/cancelled', params: { requestId: 7, reason: 'other' } }], 'any other cancellation passes through')
  t.same(notified, [])
})

test('with the real SDK: a timed-out sendRequest rejects in the handler and the late answer is ignored', async (t) => {
  const server = new McpServer({ name: 'timeouts', version: '1.0.0' })
  let outcome: unknown
  server.registerTool('ask', { inputSchema: {} }, async (_args, extra) => {
    try {
      await extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema, { timeout: 20 })
    } catch (err) {
      outcome = err
    }
    return { content: [] }
  })
  const errors: Error[] = []
  server.server.onerror = (err) => { errors.push(err) }
  let answer!: (value: Record<string, unknown>) => void
  const adapter = fromSdkServer(() => server)
  const context = fakeContext({ session: session('s1'), request: () => new Promise((resolve) => { answer = resolve }) })
  const result = await adapter.handleRequest({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask', arguments: {} } }, context)
  t.same(result, { content: [] })
  t.match(outcome, { code: -32001 }, 'the SDK timed out its own request')
  answer({ roots: [] })
  await new Promise((resolve) => setImmediate(resolve))
  t.same(errors, [], 'the SDK never saw an answer for an id it had forgotten')
  adapter.sessionClosed(session('s1'))
})

test('a request without a session gets a server of its own, closed afterwards', async (t) => {
  const closed: string[] = []
  const adapter = fromSdkServer((info) => {
    t.equal(info, undefined)
    const server = new McpServer({ name: 'stateless', version: '1.0.0' })
    server.registerTool('hi', { inputSchema: {} }, () => ({ content: [{ type: 'text', text: 'hi' }] }))
    server.server.onclose = () => { closed.push('closed') }
    return server
  })
  const result = await adapter.handleRequest({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'hi', arguments: {} } }, fakeContext())
  t.same(result, { content: [{ type: 'text', text: 'hi' }] })
  t.same(closed, ['closed'])
  t.equal(adapter.size, 0)
})

test('a factory that failed is tried again on the next request of the session', async (t) => {
  let calls = 0
  const adapter = fromSdkServer(async () => {
    if (calls++ === 0) throw new Error('warming up')
    return new Server({ name: 'retry', version: '1.0.0' }, { capabilities: {} })
  })
  const ping: JsonRpcRequest = { jsonrpc: '2.0', id: 1, method: 'ping' }
  await t.rejects(adapter.handleRequest(ping, fakeContext({ session: session('s1') })), { message: 'warming up' })
  t.equal(adapter.size, 0)
  t.same(await adapter.handleRequest(ping, fakeContext({ session: session('s1') })), {})
  t.equal(calls, 2)
  t.equal(adapter.size, 1)
  adapter.sessionClosed(session('s1'))
  t.equal(adapter.size, 0)
})

/** Stands in for an SDK server: records what its transport delivers and answers nothing. */
class FakeSdkServer implements SdkServerLike {
  transport: Transport | null = null
  readonly received: unknown[] = []
  closes = 0
  failClose = false
  async connect (transport: Transport): Promise<void> {
    this.transport = transport
    transport.onmessage = (message) => { this.received.push(message) }
    await transport.start()
  }

  async close (): Promise<void> {
    this.closes++
    if (this.failClose) throw new Error('close failed')
    await this.transport?.close()
  }
}

test('a session that ends while its factory still runs has its server closed when it arrives', async (t) => {
  const server = new FakeSdkServer()
  let release!: () => void
  const adapter = fromSdkServer(() => new Promise<SdkServerLike>((resolve) => { release = () => resolve(server) }))
  const pending = adapter.handleRequest(CALL, fakeContext({ session: session('s1') }))
  adapter.sessionClosed(session('s1'))
  t.equal(adapter.size, 0)
  release()
  await t.rejects(pending, { code: -32000 }, 'the request it was created for ends with the connection')
  t.equal(server.closes, 1)
})

test('an SDK server that refuses the recorded handshake is closed, and the next request builds another', async (t) => {
  const refusing = new FakeSdkServer()
  const servers: SdkServerLike[] = [refusing, new Server({ name: 'second', version: '1.0.0' }, { capabilities: {} })]
  const adapter = fromSdkServer(() => servers.shift()!)
  // A session that began on another instance: its handshake is in the record.
  const begun = { ...session('s1'), clientInfo: { name: 'client', version: '1.0.0' } }
  const first = adapter.handleRequest(CALL, fakeContext({ session: begun }))
  for (let i = 0; i < 10 && refusing.received.length === 0; i++) await new Promise((resolve) => setImmediate(resolve))
  const handshake = refusing.received[0] as JsonRpcRequest
  t.equal(handshake.method, 'initialize', 'the handshake goes first')
  void refusing.transport!.send({ jsonrpc: '2.0', id: handshake.id, error: { code: -32602, message: 'no such version' } })
  await t.rejects(first, { code: -32602 })
  t.equal(refusing.closes, 1, 'the refused server was closed')
  t.equal(adapter.size, 0)
  t.same(await adapter.handleRequest({ jsonrpc: '2.0', id: 2, method: 'ping' }, fakeContext({ session: begun })), {})
  t.equal(adapter.size, 1, 'a new server took the handshake and serves the session')
  adapter.sessionClosed(begun)
})

test('ending a session whose factory failed, or that never had a server, is harmless', async (t) => {
  const adapter = fromSdkServer(() => Promise.reject(new Error('nope')))
  const pending = adapter.handleRequest(CALL, fakeContext({ session: session('s1') }))
  adapter.sessionClosed(session('s1'))
  await t.rejects(pending, { message: 'nope' })
  adapter.sessionClosed(session('never'))
  t.equal(adapter.size, 0)
})

test('a server whose close fails does not break session cleanup', async (t) => {
  const server = new FakeSdkServer()
  server.failClose = true
  const adapter = fromSdkServer(() => server)
  const pending = adapter.handleRequest(CALL, fakeContext({ session: session('s1') }))
  await new Promise((resolve) => setImmediate(resolve))
  await server.transport!.send({ jsonrpc: '2.0', id: 1, result: { ok: true } })
  t.same(await pending, { ok: true })
  adapter.sessionClosed(session('s1'))
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(server.closes, 1)
  t.equal(adapter.size, 0)
})

test('client notifications reach the SDK server of their session only', async (t) => {
  const server = new FakeSdkServer()
  const adapter = fromSdkServer(() => server)
  const context = { session: session('s1'), logger: fakeContext().logger }
  await adapter.handleNotification({ jsonrpc: '2.0', method: 'notifications/initialized' }, context)
  t.equal(server.transport, null, 'no server is created for a notification')
  adapter.handleRequest(CALL, fakeContext({ session: session('s1') })).catch(() => {})
  await new Promise((resolve) => setImmediate(resolve))
  await adapter.handleNotification({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }, context)
  await adapter.handleNotification({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }, { session: undefined, logger: context.logger })
  await adapter.handleNotification({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }, { ...context, session: session('other') })
  t.same(server.received, [CALL, { jsonrpc: '2.0', method: 'notifications/roots/list_changed' }])
  adapter.sessionClosed(session('s1'))
})

test('attach gives the adapter its host for unrelated notifications', async (t) => {
  const { host, notified } = recordingHost()
  const server = new FakeSdkServer()
  const adapter = fromSdkServer(() => server)
  adapter.attach(host)
  adapter.handleRequest(CALL, fakeContext({ session: session('s1') }) as RequestContext).catch(() => {})
  await new Promise((resolve) => setImmediate(resolve))
  await server.transport!.send({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'x://a' } })
  t.same(notified, [['s1', { method: 'notifications/resources/updated', params: { uri: 'x://a' } }]])
  adapter.sessionClosed(session('s1'))
})

test('a request of no client request goes to the host, for the session\'s standalone stream; without a session it fails', async (t) => {
  const asked: unknown[] = []
  const host: McpServerHost = {
    notify: () => true,
    broadcast: () => 0,
    request: async (id, method, params) => { asked.push([id, method, params]); return { roots: [] } }
  }
  const { transport, received } = wired('s1', host)
  await transport.send({ jsonrpc: '2.0', id: 9, method: 'roots/list' })
  await new Promise((resolve) => setImmediate(resolve))
  t.same(asked, [['s1', 'roots/list', undefined]])
  t.same(received.at(-1), { jsonrpc: '2.0', id: 9, result: { roots: [] } })
  // A 2026-07-28 request's SDK server has no session, so no standalone stream either.
  const stateless = new SdkSessionTransport(undefined, () => host)
  const answers: any[] = []
  stateless.onmessage = (message) => { answers.push(message) }
  await stateless.send({ jsonrpc: '2.0', id: 10, method: 'roots/list' })
  await new Promise((resolve) => setImmediate(resolve))
  t.match(answers, [{ id: 10, error: { code: -32603, message: /has no session/ } }])
  t.equal(asked.length, 1)
})
