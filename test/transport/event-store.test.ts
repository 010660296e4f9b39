import { test } from 'tap'
import { MemoryEventStore } from '../../lib/state/memory/memory-event-store.js'

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

test('eviction past maxEvents stays first-in first-out across thousands of streams', async (t) => {
  const store = new MemoryEventStore({ maxEvents: 100 })
  // 5,000 two-event streams through a store that holds 100 events: every append evicts.
  for (let n = 0; n < 5000; n++) {
    store.append(`s${n % 7}`, `st${n}`, 1, '')
    store.append(`s${n % 7}`, `st${n}`, 2, `${n}`)
  }
  t.equal(store.size, 100)
  t.equal(store.replay('s0', 'st0', 0), null, 'the first streams are long gone')
  t.equal(store.replay(`s${4949 % 7}`, 'st4949', 0), null, 'the 51st newest stream is gone: 50 streams fill the store')
  t.same(store.replay(`s${4950 % 7}`, 'st4950', 0), [{ seq: 2, data: '4950' }], 'the 50th newest stream is whole')
  t.same(store.replay(`s${4999 % 7}`, 'st4999', 1), [{ seq: 2, data: '4999' }])
})

test('streams of ended sessions do not pile up in the eviction order', async (t) => {
  const store = new MemoryEventStore({ maxEvents: 10 })
  for (let n = 0; n < 20000; n++) {
    store.append(`s${n}`, 'a', 1, 'x')
    store.dropSession(`s${n}`)
  }
  t.equal(store.size, 0)
  // The order is private; its length is what would leak if ended sessions' streams stayed.
  t.ok((store as unknown as { order: unknown[] }).order.length < 3000, 'bounded by the live streams, not by every stream ever made')
  store.append('live', 'a', 1, 'x')
  for (let seq = 2; seq <= 12; seq++) store.append('live', 'a', seq, `${seq}`)
  t.equal(store.size, 10)
  t.same(store.replay('live', 'a', 2)!.map((e) => e.seq), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
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

test('the package exports MemoryEventStore, for an event store with other bounds', async (t) => {
  const { MemoryEventStore: Exported } = await import('../../lib/index.js')
  const { buildApp, initSession, post, sessionHeaders, parseSse } = await import('../helpers.js')
  const store = new Exported({ maxEventsPerStream: 2 })
  const app = await buildApp({ eventStore: store })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'progress', arguments: { steps: 3 }, _meta: { progressToken: 'p' } } }
  const events = parseSse((await post(app, call, sessionHeaders(id))).body)
  t.equal(events.length, 5, 'priming, three progress notifications, the result')
  t.equal(store.size, 2, 'the store kept only the last two events of the stream')
  const resume = await app.inject({ method: 'GET', url: '/mcp', headers: { accept: 'text/event-stream', 'last-event-id': events[0].id!, ...sessionHeaders(id) } })
  t.equal(resume.statusCode, 400, 'a resume from before the kept events is refused, not answered with a gap')
})
