// The holder's side of a stream in the Redis log (StreamFeed), on a log and a connection of
// the test's own: events a wake-up carries are written at once only when they are the very
// next ones; anything else goes through the log, so every event arrives once, in order.
import { test } from 'tap'
import type { FastifyBaseLogger } from 'fastify'
import { StreamFeed } from '../../lib/state/redis/stream-feed.js'
import type { LogEntry, RedisEventLog } from '../../lib/state/redis/redis-event-log.js'
import type { SseStream } from '../../lib/streams/sse-stream.js'

interface Harness {
  feed: StreamFeed
  /** The seqs written to the connection, in order. */
  written: () => number[]
  /** Appends an event to the log (what a writer on any instance does). */
  append: (seq: number) => void
  reads: () => number
  connection: { congested: boolean, release: () => void }
  /** Holds the next read until the returned function is called. */
  holdNextRead: () => () => void
}

function harness (delivered = 0): Harness {
  const log: LogEntry[] = []
  const chunks: string[] = []
  let reads = 0
  let hold: Promise<void> | null = null
  let release = (): void => {}
  const fakeLog = {
    page: 100,
    async read (_session: string, _stream: string, after: number) {
      reads++
      const held = hold
      hold = null
      if (held !== null) await held
      return log.filter((e) => e.seq > after)
    }
  } as unknown as RedisEventLog
  const connection = {
    congested: false,
    closed: false,
    write (chunk: string) { chunks.push(chunk); return true },
    end () {},
    drained: () => new Promise<void>((resolve) => { release = resolve })
  }
  const feed = new StreamFeed(fakeLog, 's', 'stream', connection as unknown as SseStream, delivered, { ids: true, retryInterval: 1000 }, { warn () {} } as unknown as FastifyBaseLogger)
  return {
    feed,
    written: () => chunks.map((c) => Number(/id: stream_(\d+)/.exec(c)![1])),
    append: (seq) => { log.push({ seq, data: `{"n":${seq}}`, end: false }) },
    reads: () => reads,
    connection: { get congested () { return connection.congested }, set congested (value) { connection.congested = value }, release: () => release() },
    holdNextRead: () => {
      let open!: () => void
      hold = new Promise((resolve) => { open = resolve })
      return open
    }
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test('the next event a wake-up carries is written at once, without reading the log; one already written is dropped', async (t) => {
  const h = harness(4)
  h.append(5)
  h.feed.offer(5, '{"n":5}')
  t.same(h.written(), [5])
  t.equal(h.reads(), 0, 'no round trip to the log')
  h.feed.offer(5, '{"n":5}')
  h.feed.offer(3, '{"n":3}')
  await settle()
  t.same(h.written(), [5], 'nothing twice')
  t.equal(h.reads(), 0)
})

test('an event after a gap makes the feed read the log, which brings the missing ones first', async (t) => {
  const h = harness(0)
  for (const seq of [1, 2, 3]) h.append(seq)
  // The wake-ups of 1 and 2 were lost (a reconnect): 3 arrives alone.
  h.feed.offer(3, '{"n":3}')
  await settle()
  t.same(h.written(), [1, 2, 3])
  t.equal(h.reads(), 1)
})

test('an event that arrives while the log is being read is folded into one more read', async (t) => {
  const h = harness(0)
  h.append(1)
  const open = h.holdNextRead()
  h.feed.wake()
  h.append(2)
  h.feed.offer(2, '{"n":2}')
  t.same(h.written(), [], 'not written ahead of the read under way')
  open()
  for (let i = 0; i < 10 && h.written().length < 2; i++) await settle()
  t.same(h.written(), [1, 2])
  t.equal(h.reads(), 2, 'the read under way, then one more')
})

test('an event for a congested connection waits in the log until the client reads again', async (t) => {
  const h = harness(0)
  h.append(1)
  h.connection.congested = true
  h.feed.offer(1, '{"n":1}')
  await settle()
  t.same(h.written(), [1], 'written by the read, which then waits for the drain')
  h.append(2)
  h.feed.offer(2, '{"n":2}')
  t.same(h.written(), [1], 'nothing more until the connection drains')
  h.connection.congested = false
  h.connection.release()
  for (let i = 0; i < 10 && h.written().length < 2; i++) await settle()
  t.same(h.written(), [1, 2])
})
