import { test } from 'tap'
import { MemoryEventStore } from '../../lib/streams/event-store.js'

test('replay returns the events after a sequence number, never priming events', async (t) => {
  const store = new MemoryEventStore()
  store.append('s', 'a', 1, '')
  store.append('s', 'a', 2, '{"n":2}')
  store.append('s', 'a', 3, '{"n":3}')
  t.same(store.replay('s', 'a', 1), [{ seq: 2, data: '{"n":2}' }, { seq: 3, data: '{"n":3}' }])
  t.same(store.replay('s', 'a', 3), [])
  t.same(store.replay('s', 'a', 0)!.map((e) => e.seq), [2, 3])
  t.equal(store.replay('s', 'b', 0), null, 'unknown stream')
  t.equal(store.replay('other', 'a', 0), null, 'streams are per session')
})

test('a stream keeps at most maxEventsPerStream; replays from before that are refused', async (t) => {
  const store = new MemoryEventStore({ maxEventsPerStream: 3 })
  for (let seq = 1; seq <= 5; seq++) store.append('s', 'a', seq, `${seq}`)
  t.equal(store.size, 3)
  t.equal(store.replay('s', 'a', 1), null, 'event 2 is gone: a replay after 1 would have a gap')
  t.same(store.replay('s', 'a', 2)!.map((e) => e.seq), [3, 4, 5])
})

test('long streams compact their storage and still replay correctly', async (t) => {
  const store = new MemoryEventStore({ maxEventsPerStream: 10 })
  for (let seq = 1; seq <= 5000; seq++) store.append('s', 'a', seq, `${seq}`)
  t.equal(store.size, 10)
  t.same(store.replay('s', 'a', 4995)!.map((e) => e.data), ['4996', '4997', '4998', '4999', '5000'])
})

test('past maxEvents the oldest stream gives up its oldest events, and an emptied stream is forgotten', async (t) => {
  const store = new MemoryEventStore({ maxEvents: 3 })
  store.append('s1', 'old', 1, 'a')
  store.append('s2', 'new', 1, 'b')
  store.append('s2', 'new', 2, 'c')
  store.append('s2', 'new', 3, 'd')
  t.equal(store.size, 3)
  t.equal(store.replay('s1', 'old', 0), null, 'the oldest stream lost its only event')
  store.append('s2', 'new', 4, 'e')
  t.equal(store.replay('s2', 'new', 0), null, 'event 1 of the newer stream went next')
  t.same(store.replay('s2', 'new', 1)!.map((e) => e.data), ['c', 'd', 'e'])
  store.dropSession('s1')
  store.dropSession('s2')
  t.equal(store.size, 0)
  store.dropSession('never')
})

test('bad bounds are refused', async (t) => {
  t.throws(() => new MemoryEventStore({ maxEventsPerStream: 0 }), /maxEventsPerStream/)
  t.throws(() => new MemoryEventStore({ maxEvents: 1.5 }), /maxEvents/)
})

test('the eventStore option is checked at registration', async (t) => {
  const Fastify = (await import('fastify')).default
  const mcp = (await import('../../lib/index.js')).default
  const { testServer } = await import('../helpers.js')
  for (const eventStore of ['memory', { append () {} }]) {
    const app = Fastify()
    await t.rejects(app.register(mcp, { server: testServer(), eventStore } as any).ready(), /option "eventStore"/)
    await app.close()
  }
  const app = Fastify()
  await t.rejects(app.register(mcp, { server: testServer(), legacySse: 'yes' } as any).ready(), /option "legacySse" is "yes"; expected true or false/)
  await app.close()
})
