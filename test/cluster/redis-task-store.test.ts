// The Redis task store keeps the task-store contract the memory store's tests state: the
// same tests (compare-and-set, terminal stays terminal, input keys, caps, paging), run
// against a real redis-server, plus what only Redis does (TTL by key expiry, the sweep of
// the indexes, delete, signals over the bus).
import tap, { test } from 'tap'
import { Redis } from 'ioredis'
import Fastify from 'fastify'
import { record, taskStoreContract } from '../tasks/task-store-contract.js'
import { RedisTaskStore } from '../../lib/state/redis/redis-task-store.js'
import { RedisTaskSignals } from '../../lib/state/redis/redis-task-signals.js'
import { RedisBus } from '../../lib/state/redis/redis-bus.js'
import { StateGuard } from '../../lib/state/redis/state-guard.js'
import { clusterRedis } from './support/cluster-redis.js'
import { FaultyClient } from './support/faulty-client.js'

tap.setTimeout(120_000)
const cluster = await clusterRedis(tap)
const client = cluster === null ? null : new Redis(cluster.url)
tap.teardown(() => client?.disconnect())
const guard = new StateGuard(2000, Fastify().log)
let prefixes = 0

// The contract's stores: each on a key prefix of its own.
class MemoryTaskStore extends RedisTaskStore {
  constructor (options: { maxTasks?: number, maxTasksPerOwner?: number, sweepInterval?: number } = {}) {
    super(client!, guard, { prefix: `t${++prefixes}:`, maxTasks: options.maxTasks ?? 10_000, maxTasksPerOwner: options.maxTasksPerOwner ?? 100, sweepInterval: options.sweepInterval ?? 60_000 })
  }
}


if (cluster !== null) {
  taskStoreContract(test, (limits) => new MemoryTaskStore(limits))

  test('Redis: a task expires with its key; sweep drops the indexes; delete removes everything', async (t) => {
    const store = new MemoryTaskStore({ maxTasks: 10 })
    t.teardown(() => store.close())
    await store.create(record('short', { ttlMs: 50 }))
    await store.create(record('kept', { ttlMs: null }))
    await new Promise((resolve) => setTimeout(resolve, 120))
    t.equal(await store.get('short'), undefined, 'gone with its TTL')
    t.equal(await store.sweep(), 1, 'the sweep drops the expired index entries')
    t.equal((await store.list('alice', undefined, 10)).tasks.length, 1)
    t.equal(await store.delete('kept'), true)
    t.equal(await store.delete('kept'), false)
    t.same((await store.list('alice', undefined, 10)).tasks, [])
  })

  test('Redis signals: over the bus to every listener of the task, removed by their function and by close', async (t) => {
    const bus = new RedisBus(client!, (channel) => channel, ['unused:listen'], { session () {}, global () {}, reconnected () {} }, Fastify().log)
    t.teardown(() => bus.close())
    const signals = new RedisTaskSignals(bus, guard, `s${++prefixes}:`)
    const seen: string[] = []
    const off = await signals.subscribe('t1', (signal) => seen.push(`a:${signal.type}`))
    await signals.subscribe('t1', (signal) => seen.push(`b:${signal.type}`))
    await signals.publish('t1', { type: 'cancel' })
    const deadline = Date.now() + 2000
    while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    t.same(seen.sort(), ['a:cancel', 'b:cancel'])
    off()
    off()
    t.equal(signals.size, 1)
    await signals.close()
    t.equal(signals.size, 0)
  })

  test('Redis signals: a subscription Redis refused leaves nothing behind, and the next one works', async (t) => {
    const faulty = new FaultyClient(cluster.url)
    t.teardown(() => faulty.disconnect())
    const bus = new RedisBus(faulty, (channel) => channel, ['unused:listen'], { session () {}, global () {}, reconnected () {} }, Fastify().log)
    t.teardown(() => bus.close())
    const signals = new RedisTaskSignals(bus, guard, `s${++prefixes}:`)
    faulty.failSubscribe = 1
    await t.rejects(signals.subscribe('t1', () => {}), { code: 'FST_MCP_STATE_UNAVAILABLE' })
    t.equal(signals.size, 0, 'no listener kept for a channel nobody subscribed')
    const seen: string[] = []
    await signals.subscribe('t1', (signal) => seen.push(signal.type))
    await signals.publish('t1', { type: 'cancel' })
    const deadline = Date.now() + 2000
    while (seen.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    t.same(seen, ['cancel'], 'the next subscription hears the task')
    await signals.close()
  })

}
