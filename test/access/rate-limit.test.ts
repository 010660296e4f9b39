// Per-call rate limits (issue 16), built on @fastify/rate-limit's createRateLimit: counted
// per tools/call (not per HTTP request), per tool and client, refused before the handler.
import { test } from 'tap'
import Fastify from 'fastify'
import rateLimit from '@fastify/rate-limit'
import mcpTransport, { createMcpServer, type McpServer } from '../../lib/index.js'
import { buildApp, initSession, post, sessionHeaders } from '../helpers.js'
import { modernRequest } from '../modern/modern-helpers.js'
import { openLegacy, postMessage, initializeMessage } from '../legacy/sse-reader.js'
import { accessApp, accessSession, bearer, callTool } from './access-helpers.js'

function countingServer (): { server: McpServer, ran: Map<string, number> } {
  const ran = new Map<string, number>()
  const server = createMcpServer({ name: 'limited', version: '1.0.0' })
  for (const name of ['search', 'expensive', 'free']) {
    server.tool(name, {}, () => { ran.set(name, (ran.get(name) ?? 0) + 1); return name })
  }
  return { server, ran }
}

function call (id: number, name = 'search') {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } }
}

test('200 parallel calls with a limit of 50: exactly 50 are served, 150 get 429 before the handler', async (t) => {
  const { server, ran } = countingServer()
  const app = await buildApp({ rateLimit: { max: 50, timeWindow: 60_000 } }, server)
  t.teardown(() => app.close())
  const session = await initSession(app)
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => post(app, call(i + 10), sessionHeaders(session))))
  const served = answers.filter((res) => res.statusCode === 200)
  const refused = answers.filter((res) => res.statusCode === 429)
  t.equal(served.length, 50)
  t.equal(refused.length, 150)
  t.equal(ran.get('search'), 50, 'the handler ran for the served calls only')
  const one = refused[0]
  t.equal(one.headers['ratelimit-limit'], '50')
  t.equal(one.headers['ratelimit-remaining'], '0')
  t.ok(Number(one.headers['retry-after']) >= 59 && Number(one.headers['retry-after']) <= 60, 'Retry-After in seconds')
  t.equal(one.headers['ratelimit-reset'], one.headers['retry-after'])
  const error = one.json().error
  t.equal(error.code, -32000)
  t.match(error.message, /tool search allows 50 calls per 60000 ms/)
  t.equal(error.data.status, 429)
  t.equal(error.data.limit, 50)
  t.ok(error.data.retryAfterMs > 58_000 && error.data.retryAfterMs <= 60_000, 'data.retryAfterMs says when to retry')
  const health = (await app.inject({ method: 'GET', url: '/health' })).json()
  t.same(health.refused_calls, { insufficient_scope: 0, rate_limited: 150, limiter_unavailable: 0, tools: { search: { insufficient_scope: 0, rate_limited: 150, limiter_unavailable: 0 } } })
})

test('a 2025-03-26 batch of 500 calls counts 500: 100 served, 400 refused with data.retryAfterMs (regression: LocalStore handed every count of one tick the same record, so all 500 were refused)', async (t) => {
  const { server, ran } = countingServer()
  // maxRequestsPerSession bounds a batch's size too (default 128).
  const app = await buildApp({ rateLimit: { max: 100 }, maxRequestsPerSession: 500 }, server)
  t.teardown(() => app.close())
  const session = await initSession(app, '2025-03-26')
  const res = await post(app, Array.from({ length: 500 }, (_, i) => call(i)), sessionHeaders(session, '2025-03-26'), {})
  t.equal(res.statusCode, 200, 'a batch answer keeps its status; each call says how it went')
  const answers = res.json() as Array<{ result?: unknown, error?: { data: { retryAfterMs: number } } }>
  t.equal(answers.length, 500)
  t.equal(answers.filter((a) => a.result !== undefined).length, 100)
  const refused = answers.filter((a) => a.error !== undefined)
  t.equal(refused.length, 400)
  t.ok(refused.every((a) => a.error!.data.retryAfterMs > 0))
  t.equal(ran.get('search'), 100)
  // The next single call is over the limit too: the batch counted every call.
  t.equal((await post(app, call(1000), sessionHeaders(session, '2025-03-26'))).statusCode, 429)
})

test('per-tool limits replace the default; false exempts a tool; other methods are never counted', async (t) => {
  const { server, ran } = countingServer()
  const app = await buildApp({ rateLimit: { max: 3, tools: { expensive: { max: 1 }, free: false } } }, server)
  t.teardown(() => app.close())
  const session = await initSession(app)
  const statuses = async (name: string, n: number): Promise<number[]> => {
    const out: number[] = []
    for (let i = 0; i < n; i++) out.push((await post(app, call(i, name), sessionHeaders(session))).statusCode)
    return out
  }
  t.same(await statuses('expensive', 2), [200, 429])
  t.same(await statuses('search', 4), [200, 200, 200, 429], 'each tool has its own count')
  t.same(await statuses('free', 5), [200, 200, 200, 200, 200])
  t.equal(ran.get('free'), 5)
  const list = await post(app, { jsonrpc: '2.0', id: 99, method: 'tools/list' }, sessionHeaders(session))
  t.equal(list.statusCode, 200)
})

test('only tools in `tools` are limited when there is no default', async (t) => {
  const { server } = countingServer()
  const app = await buildApp({ rateLimit: { tools: { expensive: { max: 1, timeWindow: 1000 } } } }, server)
  t.teardown(() => app.close())
  const session = await initSession(app)
  t.equal((await post(app, call(1, 'search'), sessionHeaders(session))).statusCode, 200)
  t.equal((await post(app, call(2, 'search'), sessionHeaders(session))).statusCode, 200)
  t.equal((await post(app, call(3, 'expensive'), sessionHeaders(session))).statusCode, 200)
  const refused = await post(app, call(4, 'expensive'), sessionHeaders(session))
  t.equal(refused.statusCode, 429)
  t.match(refused.json().error.message, /per 1000 ms/)
})

test('with auth the count is the token subject\'s (the client id without one), shared by its sessions', async (t) => {
  const app = await accessApp(t, { rateLimit: { max: 2 } })
  const alice = await accessSession(app, 'reader')
  const again = await accessSession(app, 'admin')
  const service = await accessSession(app, 'service')
  t.equal((await callTool(app, alice, 'reader', 'read_repo')).statusCode, 200)
  t.equal((await callTool(app, again, 'admin', 'read_repo')).statusCode, 200, 'another token of alice, another session')
  t.equal((await callTool(app, alice, 'reader', 'read_repo')).statusCode, 429, 'alice used her two calls')
  t.equal((await callTool(app, service, 'service', 'read_repo')).statusCode, 200, 'a token without subject counts as its client')
})

test('without auth the count is the client address\'s', async (t) => {
  const { server } = countingServer()
  const app = await buildApp({ rateLimit: { max: 1 } }, server)
  t.teardown(() => app.close())
  const session = await initSession(app)
  const from = (address: string, id: number) => post(app, call(id), sessionHeaders(session), { remoteAddress: address })
  t.equal((await from('10.0.0.1', 1)).statusCode, 200)
  t.equal((await from('10.0.0.1', 2)).statusCode, 429)
  t.equal((await from('10.0.0.2', 3)).statusCode, 200)
})

test('2026-07-28 and HTTP+SSE calls are limited the same way', async (t) => {
  const { server } = countingServer()
  const app = await buildApp({ rateLimit: { max: 1 } }, server)
  t.teardown(() => app.close())
  t.equal((await modernRequest(app, 'tools/call', { name: 'search', arguments: {} })).statusCode, 200)
  const modern = await modernRequest(app, 'tools/call', { name: 'search', arguments: {} })
  t.equal(modern.statusCode, 429)
  t.ok(modern.json().error.data.retryAfterMs > 0)
  t.ok(modern.headers['retry-after'] !== undefined)
  const legacy = await openLegacy(app)
  t.teardown(() => legacy.res.stream().destroy())
  await postMessage(app, legacy.sessionId, initializeMessage())
  await legacy.reader.message()
  t.equal((await postMessage(app, legacy.sessionId, call(2, 'expensive'))).statusCode, 202)
  t.equal((await legacy.reader.message()).result.content[0].text, 'expensive')
  const refused = await postMessage(app, legacy.sessionId, call(3, 'expensive'))
  t.equal(refused.statusCode, 429)
  t.equal(refused.headers['ratelimit-limit'], '1')
})

// A store whose backend is down: every count fails.
class BrokenStore {
  incr (_key: string, callback: (err: Error | null) => void): void { callback(new Error('store down')) }
  child (): BrokenStore { return this }
}

test('a store that fails refuses the call (fail closed): 503 alone, a JSON-RPC error in a batch', async (t) => {
  const { server, ran } = countingServer()
  const app = await buildApp({ rateLimit: { max: 10, store: BrokenStore as never } }, server)
  t.teardown(() => app.close())
  const session = await initSession(app, '2025-03-26')
  const alone = await post(app, call(1), sessionHeaders(session, '2025-03-26'))
  t.equal(alone.statusCode, 503)
  t.match(alone.json().error.message, /rate limit store did not answer/)
  const batch = await post(app, [call(2), { jsonrpc: '2.0', id: 3, method: 'ping' }], sessionHeaders(session, '2025-03-26'))
  const answers = batch.json() as Array<{ id: number, error?: { data: unknown } }>
  t.same(answers.find((a) => a.id === 2)!.error!.data, { status: 503 })
  t.ok(answers.some((a) => a.id === 3 && 'result' in a), 'the ping was not counted and ran')
  t.equal(ran.get('search'), undefined)
})

test('an app that registered @fastify/rate-limit itself: its store is used, and ours cannot be set', async (t) => {
  const { server } = countingServer()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(rateLimit, { global: false })
  await app.register(mcpTransport, { server, rateLimit: { max: 1 } })
  await app.ready()
  const session = await initSession(app)
  t.equal((await post(app, call(1), sessionHeaders(session))).statusCode, 200)
  t.equal((await post(app, call(2), sessionHeaders(session))).statusCode, 429)

  const clash = Fastify()
  t.teardown(() => clash.close())
  await clash.register(rateLimit, { global: false })
  clash.register(mcpTransport, { server: countingServer().server, rateLimit: { max: 1, store: BrokenStore as never } })
  await t.rejects(clash.ready(), /option "rateLimit.store" is set; expected unset when @fastify\/rate-limit is registered on an enclosing context/)
  const clashRedis = Fastify()
  t.teardown(() => clashRedis.close())
  await clashRedis.register(rateLimit, { global: false })
  clashRedis.register(mcpTransport, { server: countingServer().server, rateLimit: { redis: { defineCommand () {} } } })
  await t.rejects(clashRedis.ready(), /option "rateLimit.redis" is set/)
})

test('health keeps per-tool counts for at most 1000 tool names', async (t) => {
  const { server } = countingServer()
  const app = await buildApp({ rateLimit: { max: 0 }, maxRequestsPerSession: 1001 }, server)
  t.teardown(() => app.close())
  const session = await initSession(app, '2025-03-26')
  const batch = Array.from({ length: 1001 }, (_, i) => call(i, `t${i}`))
  await post(app, batch, { ...sessionHeaders(session, '2025-03-26') }, {})
  const refused = (await app.inject({ method: 'GET', url: '/health' })).json().refused_calls
  t.equal(refused.rate_limited, 1001)
  t.equal(Object.keys(refused.tools).length, 1000)
})

test('the rateLimit option is checked at registration', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [5, /option "rateLimit" is 5; expected an object/],
    [{ max: -1 }, /option "rateLimit.max" is -1; expected an integer >= 0/],
    [{ timeWindow: '1 minute' }, /option "rateLimit.timeWindow" is "1 minute"; expected an integer >= 1/],
    [{ tools: [] }, /option "rateLimit.tools" is \[\]; expected an object of limits by tool name/],
    [{ tools: { a: null } }, /option "rateLimit.tools.a" is null; expected false or \{ max, timeWindow\? \}/],
    [{ tools: { a: () => 1 } }, /option "rateLimit.tools.a" is \(\) => 1; expected false or/],
    [{ tools: { a: { max: 1.5 } } }, /option "rateLimit.tools.a.max" is 1.5/],
    [{ tools: { a: { max: 1, timeWindow: 0 } } }, /option "rateLimit.tools.a.timeWindow" is 0/],
    [{ redis: {} }, /option "rateLimit.redis" is "object"; expected an ioredis client/],
    [{ redis: null }, /option "rateLimit.redis" is "object"/],
    [{ store: {} }, /option "rateLimit.store" is "object"; expected a @fastify\/rate-limit store class/],
    [{ nameSpace: '' }, /option "rateLimit.nameSpace" is ""; expected a non-empty string/]
  ]
  for (const [rateLimit, message] of cases) {
    await t.rejects(buildApp({ rateLimit: rateLimit as never }), message)
  }
})
