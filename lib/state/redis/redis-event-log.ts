import type { RedisClient } from './redis-client.js'
import type { RedisKeys } from './redis-keys.js'
import { appendOwn, appendUnrelated, readLog } from './redis-scripts.js'

/** One entry of a log as the holder of its stream writes it out. */
export interface LogEntry {
  seq: number
  /** The serialized message; '' for a priming event. */
  data: string
  /** The stream ended here (its writer finished it, or a new GET replaced it). */
  end: boolean
}

/**
 * Events up to this size travel in their wake-up too (the holder writes them without reading
 * the log: one Redis round trip less per notification); larger ones are read from the log,
 * so a subscriber connection's buffer never holds big payloads.
 */
const INLINE_EVENT_BYTES = 16 * 1024

export interface EventLogLimits {
  maxEventsPerStream: number
  maxStreamsPerSession: number
  ttl: number
}

// How many entries one read returns: a long replay is paged instead of one huge reply.
const PAGE = 1000

/**
 * The event logs of the Redis state: one Redis Stream per SSE stream, trimmed (MAXLEN ~),
 * under the session's TTL. The log is the source of truth for delivery: pub/sub only
 * wakes the holder, which then reads what it has not delivered yet.
 */
export class RedisEventLog {
  private readonly client: RedisClient
  private readonly keys: RedisKeys
  private readonly limits: EventLogLimits

  constructor (client: RedisClient, keys: RedisKeys, limits: EventLogLimits) {
    this.client = client
    this.keys = keys
    this.limits = limits
  }

  /**
   * Events of a single-writer stream (a POST's answer), numbered by its writer: `events` is
   * (seq, 'd' data | 'e' end, value) triples, in order. `wake` tells a holder elsewhere.
   * False when the session is gone.
   */
  async appendOwn (sessionId: string, streamId: string, events: Array<string | number>, wake: boolean): Promise<boolean> {
    const { keys, limits } = this
    const written = await appendOwn.run(this.client, [
      keys.record(sessionId), keys.streams(sessionId),
      keys.logPrefix(sessionId), streamId, limits.maxEventsPerStream, limits.ttl, Date.now(), limits.maxStreamsPerSession,
      wake ? keys.channel(sessionId) : '', `w${streamId}`, ...events
    ])
    return written === 1
  }

  /**
   * A message for the session's standalone stream, from any instance; with `uri`, only if
   * the session subscribed to it. False when it has no standalone stream (or no such
   * subscription): nobody could ever receive it.
   */
  async appendUnrelated (sessionId: string, data: string, uri = ''): Promise<boolean> {
    const { keys, limits } = this
    const id = await appendUnrelated.run(this.client, [
      keys.record(sessionId), keys.subscriptions(sessionId),
      keys.logPrefix(sessionId), data, limits.maxEventsPerStream, limits.ttl, keys.channel(sessionId), uri, INLINE_EVENT_BYTES
    ])
    return id !== null
  }

  /**
   * The entries after `afterSeq` (a page at a time: call again after the last), or null when
   * they cannot all be had. `live`: a log not written yet is empty rather than unknown.
   */
  async read (sessionId: string, streamId: string, afterSeq: number, live: boolean): Promise<LogEntry[] | null> {
    const reply = await readLog.run(this.client, [this.keys.logPrefix(sessionId) + streamId, afterSeq, PAGE, live ? '1' : '0']) as Array<[string, string[]]> | null
    if (reply === null) return null
    const entries: LogEntry[] = []
    for (const [id, fields] of reply) {
      const seq = Number(id.slice(2))
      entries.push(fields[0] === 'e' ? { seq, data: '', end: true } : { seq, data: fields[1], end: false })
    }
    return entries
  }

  /** Entries per read: fewer means the reader has everything. */
  get page (): number {
    return PAGE
  }
}
