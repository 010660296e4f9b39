import type { EventStore, StoredEvent } from '../event-store.js'

export interface MemoryEventStoreOptions {
  /** Events kept per stream; older ones are dropped first. Default 1000. */
  maxEventsPerStream?: number
  /** Events kept in all; past it the oldest stream loses its oldest events. Default 100000. */
  maxEvents?: number
}

class StoredStream {
  readonly sessionId: string
  readonly id: string
  seqs: number[] = []
  data: string[] = []
  head = 0
  /** The lowest sequence number still replayable (everything below was dropped). */
  firstSeq = 1
  /** Forgotten: its session ended, or eviction emptied it. */
  gone = false

  constructor (sessionId: string, id: string) {
    this.sessionId = sessionId
    this.id = id
  }

  get size (): number {
    return this.seqs.length - this.head
  }

  shift (): void {
    this.firstSeq = this.seqs[this.head] + 1
    this.head++
    // Compact now and then instead of Array#shift on every drop.
    if (this.head > 1024 && this.head * 2 > this.seqs.length) {
      this.seqs = this.seqs.slice(this.head)
      this.data = this.data.slice(this.head)
      this.head = 0
    }
  }
}

/** The default event store: bounded, in this process's memory. */
export class MemoryEventStore implements EventStore {
  private readonly maxEventsPerStream: number
  private readonly maxEvents: number
  private readonly sessions = new Map<string, Map<string, StoredStream>>()
  // Streams in the order they were created: the oldest pays first when the total is
  // reached. An array with a moving head, not a Map's iterator: under a full store every
  // append evicts, and a Map that just lost its oldest entries makes that a scan.
  private order: StoredStream[] = []
  private orderHead = 0
  private liveStreams = 0
  private total = 0

  constructor (options: MemoryEventStoreOptions = {}) {
    this.maxEventsPerStream = options.maxEventsPerStream ?? 1000
    this.maxEvents = options.maxEvents ?? 100_000
    if (!Number.isInteger(this.maxEventsPerStream) || this.maxEventsPerStream < 1) throw new TypeError('maxEventsPerStream must be an integer >= 1')
    if (!Number.isInteger(this.maxEvents) || this.maxEvents < 1) throw new TypeError('maxEvents must be an integer >= 1')
  }

  /** Events held now, across all streams. */
  get size (): number {
    return this.total
  }

  append (sessionId: string, streamId: string, seq: number, data: string): void {
    let streams = this.sessions.get(sessionId)
    if (streams === undefined) this.sessions.set(sessionId, streams = new Map())
    let stream = streams.get(streamId)
    if (stream === undefined) {
      stream = new StoredStream(sessionId, streamId)
      stream.firstSeq = seq
      streams.set(streamId, stream)
      this.remember(stream)
    }
    stream.seqs.push(seq)
    stream.data.push(data)
    this.total++
    if (stream.size > this.maxEventsPerStream) {
      stream.shift()
      this.total--
    }
    while (this.total > this.maxEvents) this.evictOldest()
  }

  replay (sessionId: string, streamId: string, afterSeq: number): StoredEvent[] | null {
    const stream = this.sessions.get(sessionId)?.get(streamId)
    if (stream === undefined || afterSeq + 1 < stream.firstSeq) return null
    const events: StoredEvent[] = []
    for (let i = stream.head; i < stream.seqs.length; i++) {
      const seq = stream.seqs[i]
      if (seq > afterSeq && stream.data[i] !== '') events.push({ seq, data: stream.data[i] })
    }
    return events
  }

  dropSession (sessionId: string): void {
    const streams = this.sessions.get(sessionId)
    if (streams === undefined) return
    for (const stream of streams.values()) {
      this.total -= stream.size
      this.forget(stream)
    }
    this.sessions.delete(sessionId)
  }

  private remember (stream: StoredStream): void {
    this.liveStreams++
    // Streams of ended sessions wait in `order` until they reach its head; when they
    // outnumber the live ones, drop them all at once.
    if (this.order.length - this.orderHead > 2 * this.liveStreams + 1024) {
      this.order = this.order.slice(this.orderHead).filter((s) => !s.gone)
      this.orderHead = 0
    }
    this.order.push(stream)
  }

  private forget (stream: StoredStream): void {
    stream.gone = true
    this.liveStreams--
  }

  private evictOldest (): void {
    let stream = this.order[this.orderHead]
    while (stream.gone) stream = this.order[++this.orderHead]
    stream.shift()
    this.total--
    if (stream.size === 0) {
      // Keep no empty record: a replay of it would wrongly look complete.
      this.forget(stream)
      this.orderHead++
      const streams = this.sessions.get(stream.sessionId)!
      streams.delete(stream.id)
      if (streams.size === 0) this.sessions.delete(stream.sessionId)
    }
    if (this.orderHead > 1024 && this.orderHead * 2 > this.order.length) {
      this.order = this.order.slice(this.orderHead)
      this.orderHead = 0
    }
  }
}
