// The other ways in, across instances: the HTTP+SSE transport, the 2026-07-28 era,
// session expiry, authorization, and a Redis that goes away and comes back.
import { Type } from '@sinclair/typebox'
import tap, { test } from 'tap'
import { McpServer as SdkMcpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { createMcpServer } from '../../lib/index.js'
import { fromSdkServer } from '../../lib/adapters/index.js'
import { testServer } from '../helpers.js'
import { modernHeaders, modernMeta } from '../modern/modern-helpers.js'
import { clusterRedis, until } from './support/cluster-redis.js'
import { call, getStream, openSession, reader } from './support/mcp-http.js'
import { startInstance } from './support/two-instances.js'

tap.setTimeout(240_000)
const cluster = await clusterRedis(tap)

// Without redis-server outside CI, the file was skipped (loudly) by clusterRedis.
if (cluster !== null) {
  const redis = cluster


  test('HTTP+SSE: the answers to POSTs on B arrive on the /sse stream held by A', async (t) => {
    const a = await startInstance(t, redis.url)
    const b = await startInstance(t, redis.url)
    const base = (url: string) => url.replace(/\/mcp$/, '')
    const sse = reader(await fetch(`${base(a.url)}/sse`, { headers: { accept: 'text/event-stream' } }))
    const endpoint = await sse.next()
    t.equal(endpoint.event, 'endpoint')
    const post = (message: unknown) => fetch(`${base(b.url)}${endpoint.data}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) })
    t.equal((await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'tap', version: '1' } } })).status, 202)
    t.match(await sse.message(5000), { id: 1, result: { protocolVersion: '2024-11-05' } })
    t.equal((await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202)
    t.equal((await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'via B' } } })).status, 202)
    t.match(await sse.message(5000), { id: 2, result: { content: [{ text: 'via B' }] } })
    const sessionId = new URLSearchParams(endpoint.data.split('?')[1]).get('sessionId')!
    t.equal(await b.app.mcpSessions.notify(sessionId, { method: 'notifications/message', params: { level: 'info', data: 'from B' } }), true)
    t.match(await sse.message(5000), { method: 'notifications/message', params: { data: 'from B' } })
    // A second initialize is refused on any instance: the record says it happened.
    t.equal((await post({ jsonrpc: '2.0', id: 3, method: 'initialize', params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'tap', version: '1' } } })).status, 400)
  })

  test('an SDK server behind fromSdkServer on B knows the client that initialized on A', async (t) => {
    const adapter = () => fromSdkServer(() => {
      const server = new SdkMcpServer({ name: 'sdk', version: '1.0.0' })
      server.registerTool('client', { description: 'What the SDK server knows of its client', inputSchema: {} }, async () => ({
        content: [{ type: 'text', text: JSON.stringify({ info: server.server.getClientVersion(), capabilities: server.server.getClientCapabilities() }) }]
      }))
      return server
    })
    const a = await startInstance(t, redis.url, {}, adapter() as never)
    const b = await startInstance(t, redis.url, {}, adapter() as never)
    const id = await openSession(a.url, { roots: { listChanged: true } })
    const seen = await call(b.url, id, 1, 'tools/call', { name: 'client', arguments: {} })
    t.same(JSON.parse(seen.result.content[0].text), { info: { name: 'tap', version: '1.0.0' }, capabilities: { roots: { listChanged: true } } },
      'the handshake kept in the record was given to B\'s SDK server')
    t.match(await call(b.url, id, 2, 'tools/list'), { result: { tools: [{ name: 'client' }] } }, 'and it serves the session from then on')
  })

  test('a session expires for the whole cluster, and activity on any instance keeps it alive', async (t) => {
    const a = await startInstance(t, redis.url, { sessionTimeout: 3000 })
    const b = await startInstance(t, redis.url, { sessionTimeout: 3000 })
    const id = await openSession(a.url)
    // Used only through B for longer than the timeout: alive everywhere.
    for (let i = 0; i < 14; i++) {
      t.equal((await call(b.url, id, i + 1, 'ping')).status, 200, `ping ${i} through B`)
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
    t.equal((await call(a.url, id, 20, 'ping')).status, 200, 'A still serves it')
    await new Promise((resolve) => setTimeout(resolve, 4500))
    t.equal((await call(b.url, id, 21, 'ping')).status, 404, 'idle past the timeout: gone on B')
    t.equal((await call(a.url, id, 22, 'ping')).status, 404, '... and on A')
  })

  test('2026-07-28: a listen stream on A hears list changes and resource updates caused on B', async (t) => {
    const server = () => {
      const s = testServer()
      s.resource('watched', 'test://watched', {}, () => 'v1')
      return s
    }
    const a = await startInstance(t, redis.url, {}, server())
    const b = await startInstance(t, redis.url, {}, server())
    const res = await fetch(a.url, {
      method: 'POST',
      headers: modernHeaders('subscriptions/listen'),
      body: JSON.stringify({ jsonrpc: '2.0', id: 'listen', method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true, resourceSubscriptions: ['test://watched'] }, _meta: modernMeta() } })
    })
    const stream = reader(res)
    t.match(await stream.message(), { method: 'notifications/subscriptions/acknowledged' })
    b.server.tool('added', { description: 'new' }, () => 'x')
    t.match(await stream.message(5000), { method: 'notifications/tools/list_changed' })
    await b.server.resourceUpdated('test://watched')
    t.match(await stream.message(5000), { method: 'notifications/resources/updated', params: { uri: 'test://watched' } })
  })

  test('2026-07-28: an input_required round started on A completes on B (one shared key)', async (t) => {
    const server = () => {
      const s = createMcpServer({ name: 'mrtr', version: '1.0.0' })
      s.tool('greet', { input: Type.Object({}) }, async (_args, ctx) => {
        const answer = await ctx.elicit({ message: 'name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } })
        return `hello ${String((answer.content as { name: string }).name)}`
      })
      return s
    }
    const a = await startInstance(t, redis.url, {}, server())
    const b = await startInstance(t, redis.url, {}, server())
    const capabilities = { elicitation: { form: {} } }
    const first = await (await fetch(a.url, {
      method: 'POST',
      headers: modernHeaders('tools/call', { name: 'greet' }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'greet', arguments: {}, _meta: modernMeta(capabilities) } })
    })).json()
    t.equal(first.result.resultType, 'input_required')
    const [key] = Object.keys(first.result.inputRequests)
    const second = await (await fetch(b.url, {
      method: 'POST',
      headers: modernHeaders('tools/call', { name: 'greet' }),
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'greet', arguments: {}, requestState: first.result.requestState, inputResponses: { [key]: { action: 'accept', content: { name: 'Ada' } } }, _meta: modernMeta(capabilities) }
      })
    })).json()
    t.match(second.result, { resultType: 'complete', content: [{ text: 'hello Ada' }] }, 'B verified what A signed')
  })

  test('with auth, a session stays bound to its user on every instance', async (t) => {
    const auth = {
      verifyToken: (token: string) => ({ token, clientId: 'c', scopes: [], subject: token }),
      resourceMetadata: { resource: 'http://127.0.0.1/mcp', authorization_servers: ['https://as.example'] }
    }
    const a = await startInstance(t, redis.url, { auth })
    const b = await startInstance(t, redis.url, { auth })
    const id = await openSession(a.url, {}, { authorization: 'Bearer alice' })
    t.equal((await call(b.url, id, 1, 'ping', {}, { authorization: 'Bearer alice' })).status, 200, 'alice on B')
    t.equal((await call(b.url, id, 2, 'ping', {}, { authorization: 'Bearer mallory' })).status, 404, 'another user on B: as unknown')
  })

  test('Redis down: requests that need it fail closed with 503; it recovers by itself', async (t) => {
    const a = await startInstance(t, redis.url, {}, testServer(), { commandTimeout: 300 })
    const id = await openSession(a.url)
    await redis.pause()
    const fresh = await fetch(a.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } } }) })
    t.equal(fresh.status, 503, 'a new session cannot be recorded')
    t.match(await fresh.json(), { jsonrpc: '2.0', error: { code: -32603, message: /shared state/ } })
    t.equal((await getStream(a.url, id)).status, 503, 'a stream cannot be opened')
    t.equal((await call(a.url, 'unknown-to-a', 2, 'ping')).status, 503, 'an unknown session cannot be looked up')
    await redis.resume()
    await until(async () => (await call(a.url, id, 3, 'ping')).status === 200)
    const stream = reader(await getStream(a.url, id))
    await stream.next(5000)
    await a.app.mcpSessions.notify(id, { method: 'notifications/message', params: { level: 'info', data: 'back' } })
    t.match(await stream.message(5000), { params: { data: 'back' } }, 'delivery works again')
  })
}
