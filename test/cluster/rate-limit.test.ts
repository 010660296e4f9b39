// Two instances of the app on one real Redis share their per-call limits (issue 16): the
// counts live in Redis through @fastify/rate-limit's RedisStore, one round trip per call.
// Debian's redis-server on a free loopback port (the cluster tests' fixture).
import { test, type Test } from 'tap'
import { Redis } from 'ioredis'
import { createMcpServer, redisState, type McpServer, type McpTransportOptions } from '../../lib/index.js'
import { buildApp, initSession, post, sessionHeaders } from '../helpers.js'
import { redisForTest } from './support/redis-server.js'

function server (): { server: McpServer, ran: () => number } {
  let ran = 0
  const mcp = createMcpServer({ name: 'shared', version: '1.0.0' })
  mcp.tool('search', {}, () => { ran++; return 'found' })
  mcp.tool('other', {}, () => 'other')
  return { server: mcp, ran: () => ran }
}

/** Two apps, each with its own client of one test Redis and the options `options` gives it. */
async function twoInstances (t: Test, options: (client: Redis) => Partial<McpTransportOptions>) {
  const redis = await redisForTest(t)
  if (redis === null) return null
  const clients = [new Redis(redis.url), new Redis(redis.url)]
  t.teardown(() => { for (const client of clients) client.disconnect() })
  const instances = [server(), server()]
  const apps = await Promise.all(instances.map((instance, i) => buildApp(options(clients[i]), instance.server)))
  t.teardown(() => Promise.all(apps.map((app) => app.close())))
  return { clients, instances, apps }
}

test('two instances on one Redis share a limit: 40 calls spread over both, limit 10, exactly 10 served', async (t) => {
  const pair = await twoInstances(t, (client) => ({ rateLimit: { max: 10, redis: client } }))
  if (pair === null) return
  const { clients, instances, apps } = pair
  const sessions = await Promise.all(apps.map((app) => initSession(app)))
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => {
    const which = i % 2
    return post(apps[which], { jsonrpc: '2.0', id: i + 10, method: 'tools/call', params: { name: 'search', arguments: {} } }, sessionHeaders(sessions[which]))
  }))
  t.equal(answers.filter((res) => res.statusCode === 200).length, 10, 'one count across both instances')
  t.equal(answers.filter((res) => res.statusCode === 429).length, 30)
  t.equal(instances[0].ran() + instances[1].ran(), 10)
  // Which instance served how many depends on who reached Redis first; that B refuses a
  // call it never counted itself, once A used the limit, does not.
  const other = (which: number, id: number) => post(apps[which], { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'other', arguments: {} } }, sessionHeaders(sessions[which]))
  for (let i = 0; i < 10; i++) t.equal((await other(0, 100 + i)).statusCode, 200)
  t.equal((await other(1, 200)).statusCode, 429, 'the second instance refuses: the first used the shared limit')
  const keys = await clients[0].keys('mcp-rate-limit-*')
  t.equal(keys.length, 2, 'one key per tool for this client address')
  t.ok(await clients[0].pttl(keys[0]) > 0, 'the key expires with its window')
})

test('with the Redis state, the limit is shared without naming a store: the state\'s client keeps the counts', async (t) => {
  const pair = await twoInstances(t, (client) => ({ state: redisState({ client }), rateLimit: { max: 5 } }))
  if (pair === null) return
  const { clients, instances, apps } = pair
  // One session, served by both instances.
  const session = await initSession(apps[0])
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    post(apps[i % 2], { jsonrpc: '2.0', id: i + 10, method: 'tools/call', params: { name: 'search', arguments: {} } }, sessionHeaders(session))))
  t.equal(answers.filter((res) => res.statusCode === 200).length, 5, 'one count across both instances')
  t.equal(answers.filter((res) => res.statusCode === 429).length, 15)
  t.equal(instances[0].ran() + instances[1].ran(), 5)
  t.equal((await clients[0].keys('mcp-rate-limit-*')).length, 1, 'the counts are in the state\'s Redis')
})
