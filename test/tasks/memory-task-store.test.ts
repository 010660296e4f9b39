// The memory task store: compare-and-set transitions, input keys, TTL, caps, paging,
// and the one sweeper timer (started by the first task, stopped by close()).
import { test } from 'tap'
import { MemoryTaskStore } from '../../lib/index.js'
import { record, taskStoreContract } from './task-store-contract.js'
import { MemoryTaskSignals } from '../../lib/state/memory/memory-task-signals.js'

taskStoreContract(test, (limits) => new MemoryTaskStore(limits))

test('a task past its TTL is gone for reads at once, and the sweeper deletes it', async (t) => {
  const store = new MemoryTaskStore({ sweepInterval: 20 })
  t.teardown(() => store.close())
  await store.create(record('old', { createdAt: Date.now() - 1000, ttlMs: 500 }))
  await store.create(record('forever', { ttlMs: null }))
  await store.create(record('fresh'))
  t.equal(await store.get('old'), undefined, 'expired on read')
  t.equal(store.size, 2, 'the expired read removed it')
  await store.create(record('old2', { createdAt: Date.now() - 1000, ttlMs: 500 }))
  await new Promise((resolve) => setTimeout(resolve, 60))
  t.equal(store.size, 2, 'the sweeper removed the other expired task')
  t.equal(await store.sweep(Date.now() + 120_000), 1, 'sweep(now) removes what is past its TTL then, never a ttlMs null task')
  t.ok(await store.get('forever'))
})

test('close stops the sweeper and empties the store; a store with no task never started one', async (t) => {
  // Count the intervals the store starts and stops (unref'd timers are not active resources).
  const live = new Set<unknown>()
  const { setInterval: realSet, clearInterval: realClear } = globalThis
  globalThis.setInterval = ((fn: () => void, ms: number) => { const timer = realSet(fn, ms); live.add(timer); return timer }) as typeof setInterval
  globalThis.clearInterval = ((timer: NodeJS.Timeout) => { live.delete(timer); realClear(timer) }) as typeof clearInterval
  t.teardown(() => { globalThis.setInterval = realSet; globalThis.clearInterval = realClear })
  const idle = new MemoryTaskStore({ sweepInterval: 10 })
  t.equal(live.size, 0, 'no timer without a task')
  await idle.close()
  const store = new MemoryTaskStore({ sweepInterval: 10 })
  await store.create(record('a'))
  await store.create(record('b', { owner: 'bob' }))
  t.equal(live.size, 1, 'one sweeper, however many tasks')
  await store.close()
  t.equal(live.size, 0, 'close stopped it')
  t.equal(store.size, 0)
})

test('memory signals: listeners by task id, removed by their function, all dropped by close', async (t) => {
  const signals = new MemoryTaskSignals()
  const seen: string[] = []
  const off = await signals.subscribe('a', (signal) => seen.push(`1:${signal.type}`))
  const off2 = await signals.subscribe('a', (signal) => seen.push(`2:${signal.type}`))
  await signals.subscribe('b', (signal) => seen.push(`b:${signal.type}`))
  await signals.publish('a', { type: 'cancel' })
  await signals.publish('none', { type: 'input' })
  off()
  off()
  await signals.publish('a', { type: 'input' })
  t.same(seen, ['1:cancel', '2:cancel', '2:input'])
  off2()
  t.equal(signals.size, 1, 'task a has no listener left')
  await signals.close()
  t.equal(signals.size, 0)
})
