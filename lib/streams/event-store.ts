/**
 * Where SSE events are kept so a client can resume a stream with Last-Event-ID
 * (2025-11-25 transports §Resumability and Redelivery). Events are kept per stream; the
 * transport gives every event a sequence number within its stream and an id of the form
 * `<streamId>_<seq>`, so an id always names the one stream it may be replayed on.
 */
export interface StoredEvent {
  seq: number
  /** The serialized JSON-RPC message; '' for a priming event (never replayed). */
  data: string
}

export interface EventStore {
  append (sessionId: string, streamId: string, seq: number, data: string): void | Promise<void>
  /**
   * The events of one stream after `afterSeq`, oldest first and without priming events
   * (a stream's first event, which carries nothing), or null when the stream is unknown or
   * some of those events are no longer kept.
   */
  replay (sessionId: string, streamId: string, afterSeq: number): StoredEvent[] | null | Promise<StoredEvent[] | null>
  /** Forgets every stream of a session; called when the session ends. */
  dropSession (sessionId: string): void | Promise<void>
}

export interface MemoryEventStoreOptions {
  /** Events kept per stream; older ones are dropped first. Default 1000. */
  maxEventsPerStream?: number
  /** Events kept in all; past it the oldest stream loses its oldest events. Default 100000. */
  maxEvents?: number
}

class StoredStream {
  readonly sessionId: string
  seqs: number[] = []
  data: string[] = []
  head = 0
  /** The lowest sequence number still replayable (everything below was dropped). */
  firstSeq = 1

  constructor (sessionId: string) {
    this.sessionId = sessionId
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
  // Insertion order is age order: the oldest stream pays first when the total is reached.
  private readonly streams = new Map<string, StoredStream>()
  private readonly bySession = new Map<string, Set<string>>()
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
    const key = `${sessionId}\n${streamId}`
    let stream = this.streams.get(key)
    if (stream === undefined) {
      stream = new StoredStream(sessionId)
      stream.firstSeq = seq
      this.streams.set(key, stream)
      let keys = this.bySession.get(sessionId)
      if (keys === undefined) this.bySession.set(sessionId, keys = new Set())
      keys.add(key)
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
    const stream = this.streams.get(`${sessionId}\n${streamId}`)
    if (stream === undefined || afterSeq + 1 < stream.firstSeq) return null
    const events: StoredEvent[] = []
    for (let i = stream.head; i < stream.seqs.length; i++) {
      const seq = stream.seqs[i]
      if (seq > afterSeq && stream.data[i] !== '') events.push({ seq, data: stream.data[i] })
    }
    return events
  }

  dropSession (sessionId: string): void {
    const keys = this.bySession.get(sessionId)
    if (keys === undefined) return
    for (const key of keys) {
      this.total -= this.streams.get(key)!.size
      this.streams.delete(key)
    }
    this.bySession.delete(sessionId)
  }

  private evictOldest (): void {
    const [key, stream] = this.streams.entries().next().value as [string, StoredStream]
    stream.shift()
    this.total--
    if (stream.size === 0) {
      // Keep no empty record: a replay of it would wrongly look complete.
      this.streams.delete(key)
      this.bySession.get(stream.sessionId)!.delete(key)
    }
  }
}
