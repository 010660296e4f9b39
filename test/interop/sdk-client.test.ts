// The official TypeScript client (@modelcontextprotocol/sdk) against the plugin on a real
// loopback socket: the proof that what the inject tests check is what a real client needs.
import { test, type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'
import {
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
  type Progress
} from '@modelcontextprotocol/sdk/types.js'
import { buildApp, testServer } from '../helpers.js'
import { listenOnLoopback } from './support/listening-app.js'
import { connectSdkClient, type SdkConnection, type SeenRequest } from './support/sdk-client.js'
import { waitUntil, within } from './support/wait-until.js'

/** What the `hold` tool saw: it runs until its signal aborts and reports why. */
interface HoldProbe {
  started: Promise<void>
  aborted: Promise<unknown>
}

interface Setup {
  app: FastifyInstance
  url: URL
  sdk: SdkConnection
  hold: HoldProbe
}

async function setup (t: Test, protocolVersion?: string): Promise<Setup> {
  const server = testServer()
  let markStarted!: () => void
  let markAborted!: (reason: unknown) => void
  const hold: HoldProbe = {
    started: new Promise((resolve) => { markStarted = resolve }),
    aborted: new Promise((resolve) => { markAborted = resolve })
  }
  server.tool('hold', { description: 'Runs until cancelled', input: Type.Object({}) }, (_args, ctx) => new Promise((resolve) => {
    ctx.signal.addEventListener('abort', () => {
      markAborted(ctx.signal.reason)
      resolve('stopped')
    }, { once: true })
    markStarted()
  }))
  const app = await buildApp({}, server)
  const url = await listenOnLoopback(app)
  const sdk = await connectSdkClient(url, { protocolVersion })
  t.teardown(async () => {
    await sdk.close()
    await app.close()
  })
  return { app, url, sdk, hold }
}

/** After connect the SDK opens the GET stream in the background; wait until it is open. */
async function standaloneStreamOpen (app: FastifyInstance): Promise<void> {
  await waitUntil(() => app.mcpSessions.list()[0]?.streams === 1, 'the SDK client opened its GET stream')
}

function postsAfterInitialize (seen: SeenRequest[]): SeenRequest[] {
  return seen.slice(1).filter((r) => r.method === 'POST')
}

test('the SDK client connects: initialize handshake, one session, the latest version', async (t) => {
  const { app, sdk } = await setup(t)
  const sessions = app.mcpSessions.list()
  t.equal(sessions.length, 1)
  t.equal(sdk.transport.sessionId, sessions[0].id, 'the client holds the id from Mcp-Session-Id')
  t.equal(sdk.transport.protocolVersion, '2025-11-25')
  t.equal(sessions[0].protocolVersion, '2025-11-25')
  t.same(sessions[0].clientInfo, { name: 'sdk-interop-test', version: '1.0.0' })
  t.match(sdk.client.getServerVersion(), { name: 'test-server', version: '1.0.0' })
  t.match(sdk.client.getServerCapabilities(), { tools: { listChanged: true } })
  const initialized = sdk.seen.find((r) => (r.body as { method?: string } | undefined)?.method === 'notifications/initialized')
  t.equal(initialized?.status, 202, 'notifications/initialized is accepted with 202')
  t.same(sdk.errors, [])
})

test('the SDK client lists tools and calls one', async (t) => {
  const { sdk } = await setup(t)
  const { tools } = await sdk.client.listTools()
  const names = tools.map((tool) => tool.name)
  for (const name of ['boom', 'echo', 'hold', 'progress', 'wait']) t.ok(names.includes(name), `${name} is listed`)
  t.match(tools.find((tool) => tool.name === 'echo'), { inputSchema: { type: 'object', properties: { text: { type: 'string' } } } })
  const result = await sdk.client.callTool({ name: 'echo', arguments: { text: 'hello' } })
  t.same(result.content, [{ type: 'text', text: 'hello' }])
  t.notOk(result.isError)
  const call = sdk.seen.at(-1)!
  t.match(call.contentType, /^application\/json/, 'a call that sends nothing first is answered with JSON')
  t.same(sdk.errors, [])
})

test('the SDK client sees a tool failure as isError, not as a protocol error', async (t) => {
  const { sdk } = await setup(t)
  const result = await sdk.client.callTool({ name: 'boom', arguments: {} })
  t.equal(result.isError, true)
  t.same(result.content, [{ type: 'text', text: 'tool exploded' }])
})

test('progress reaches onprogress over the POST response stream, before the result', async (t) => {
  const { sdk } = await setup(t)
  const progress: Progress[] = []
  const result = await sdk.client.callTool({ name: 'progress', arguments: { steps: 3 } }, undefined, {
    onprogress: (p) => { progress.push(p) }
  })
  t.same(progress.map((p) => [p.progress, p.total]), [[1, 3], [2, 3], [3, 3]])
  t.same(result.content, [{ type: 'text', text: 'done' }])
  const call = sdk.seen.at(-1)!
  t.equal(call.contentType, 'text/event-stream', 'the POST answered with an SSE stream once progress was sent')
  t.same(sdk.errors, [])
})

test('notifications unrelated to a request reach the client on its GET stream', async (t) => {
  const { app, sdk } = await setup(t)
  await standaloneStreamOpen(app)
  // The server counts the stream when it opens it; the client sees the head a moment later,
  // and the request is recorded as soon as it is sent, so wait for its status.
  await waitUntil(() => sdk.seen.some((r) => r.method === 'GET' && r.status !== undefined), 'the SDK client got the GET answer')
  const get = sdk.seen.find((r) => r.method === 'GET')
  t.equal(get?.status, 200)
  t.equal(get?.contentType, 'text/event-stream')
  t.equal(get?.headers.get('mcp-session-id'), sdk.transport.sessionId)

  let listChanged!: () => void
  const listChangedSeen = new Promise<void>((resolve) => { listChanged = resolve })
  sdk.client.setNotificationHandler(ToolListChangedNotificationSchema, () => { listChanged() })
  let logged!: (data: unknown) => void
  const logSeen = new Promise<unknown>((resolve) => { logged = resolve })
  sdk.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { logged(n.params) })

  t.equal(app.mcpSessions.broadcast({ method: 'notifications/tools/list_changed' }), 1, 'broadcast reached the one open GET stream')
  await within(listChangedSeen, 2000, 'notifications/tools/list_changed on the client')
  const id = sdk.transport.sessionId!
  t.equal(app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: 'to this session' } }), true)
  t.same(await within(logSeen, 2000, 'notifications/message on the client'), { level: 'info', data: 'to this session' })
  t.same(sdk.errors, [])
})

test('cancelling a call with an AbortSignal sends notifications/cancelled and aborts the handler', async (t) => {
  const { app, sdk, hold } = await setup(t)
  const controller = new AbortController()
  const call = sdk.client.callTool({ name: 'hold', arguments: {} }, undefined, { signal: controller.signal })
  await within(hold.started, 2000, 'the hold tool to start')
  t.equal(app.mcpSessions.list()[0].inflight, 1)
  controller.abort('the user gave up')
  await t.rejects(call, /the user gave up/, 'the SDK rejects the cancelled call')
  const reason = await within(hold.aborted, 2000, 'the server-side signal to abort')
  t.match(reason, { message: /the user gave up/ }, 'the abort reason carries the client\'s reason')
  const cancelled = sdk.seen.find((r) => (r.body as { method?: string } | undefined)?.method === 'notifications/cancelled')
  t.match(cancelled, { body: { params: { reason: 'the user gave up' } } })
  // The server may abort the handler before the client has read the 202.
  await waitUntil(() => cancelled?.status !== undefined, 'the answer to notifications/cancelled')
  t.equal(cancelled?.status, 202)
  await waitUntil(() => app.mcpSessions.list()[0].inflight === 0, 'the cancelled request left the in-flight table')
  const after = await sdk.client.callTool({ name: 'echo', arguments: { text: 'still here' } })
  t.same(after.content, [{ type: 'text', text: 'still here' }], 'the session keeps working after a cancellation')
})

test('terminateSession ends the session, closes its streams, and the old id gets 404', async (t) => {
  const { app, url, sdk } = await setup(t)
  await standaloneStreamOpen(app)
  const id = sdk.transport.sessionId!
  await sdk.transport.terminateSession()
  t.equal(sdk.transport.sessionId, undefined, 'the client forgot the id')
  t.equal(app.mcpSessions.size, 0)
  // The SDK treats the end of its GET stream as a drop and would reconnect; with
  // reconnects off it reports that instead, which tells us the stream really ended.
  await waitUntil(() => sdk.errors.some((e) => /Maximum reconnection attempts/.test(e.message)), 'the client saw its GET stream end')
  const health = await (await fetch(new URL('/health', url))).json()
  t.match(health, { active_sessions: 0, open_streams: 0, total_sessions: 1 })

  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' }
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }) })
  t.equal(res.status, 404)
  t.match(await res.json(), { jsonrpc: '2.0', error: { code: Number } })
  const get = await fetch(url, { headers: { accept: 'text/event-stream', 'mcp-session-id': id } })
  t.equal(get.status, 404, 'GET with the ended id')
  await get.body?.cancel()
  const del = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': id } })
  t.equal(del.status, 404, 'DELETE with the ended id')
  await del.body?.cancel()
})

for (const version of ['2025-06-18', '2025-03-26', '2024-11-05']) {
  test(`the SDK client works when the session is negotiated at ${version}`, async (t) => {
    const { app, sdk } = await setup(t, version)
    t.equal(sdk.transport.protocolVersion, version, 'the SDK took the version the server agreed to')
    t.equal(app.mcpSessions.list()[0].protocolVersion, version)
    await standaloneStreamOpen(app)
    const { tools } = await sdk.client.listTools()
    t.ok(tools.some((tool) => tool.name === 'progress'))
    const progress: number[] = []
    const result = await sdk.client.callTool({ name: 'progress', arguments: { steps: 2 } }, undefined, {
      onprogress: (p) => { progress.push(p.progress) }
    })
    t.same(result.content, [{ type: 'text', text: 'done' }])
    t.same(progress, [1, 2])
    const posts = postsAfterInitialize(sdk.seen)
    t.ok(posts.length >= 3, 'initialized, tools/list and tools/call were posted')
    t.same(posts.map((r) => r.headers.get('mcp-protocol-version')), posts.map(() => version), 'every later request carries the negotiated version')
    t.same(posts.map((r) => r.status), posts.map((r) => (r.body as { id?: unknown }).id === undefined ? 202 : 200))
    t.same(sdk.errors, [])
    await sdk.transport.terminateSession()
    t.equal(app.mcpSessions.size, 0)
  })
}
