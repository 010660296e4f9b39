import type { FastifyBaseLogger } from 'fastify'
import { formatEvent, type SseStream } from '../../streams/sse-stream.js'
import type { LogEntry, RedisEventLog } from './redis-event-log.js'

export interface FeedOptions {
  /** Event ids on the wire (`<stream>_<seq>`); the HTTP+SSE transport has none. */
  ids: boolean
  /** The `retry` of a priming event. */
  retryInterval: number
}

/**
 * The holder's side of a stream kept in the shared log: one SSE connection that writes
 * out, in order and once each, every entry after the last one it delivered. Pub/sub wakes
 * it; a lost wake-up costs nothing, since each read starts from `delivered`, and wakes
 * that arrive while it reads are folded into one more read. It writes no faster than the
 * client reads: a replay of a long log waits for the socket to drain instead of queueing
 * the whole log in memory.
 */
export class StreamFeed {
  readonly sessionId: string
  readonly streamId: string
  readonly connection: SseStream
  /** Sequence number of the last entry written to the connection. */
  delivered: number
  private readonly log: RedisEventLog
  private readonly options: FeedOptions
  private readonly logger: FastifyBaseLogger
  private reading = false
  private again = false

  constructor (log: RedisEventLog, sessionId: string, streamId: string, connection: SseStream, delivered: number, options: FeedOptions, logger: FastifyBaseLogger) {
    this.log = log
    this.sessionId = sessionId
    this.streamId = streamId
    this.connection = connection
    this.delivered = delivered
    this.options = options
    this.logger = logger
  }

  /** Starts with entries already read (a resume's replay), or by reading the log. */
  start (first: LogEntry[] | null): void {
    void this.run(first)
  }

  /** New entries may be in the log. */
  wake (): void {
    if (this.reading) this.again = true
    else void this.run(null)
  }

  /**
   * An event its wake-up carried: written at once when it is the very next one and nothing
   * is being written; otherwise the log is read as for any wake-up, so the order and the
   * once-each hold however the two arrive.
   */
  offer (seq: number, data: string): void {
    if (seq <= this.delivered) return
    const connection = this.connection
    if (this.reading || seq !== this.delivered + 1 || connection.congested) {
      this.wake()
      return
    }
    connection.write(this.format(seq, data))
    this.delivered = seq
  }

  private async run (first: LogEntry[] | null): Promise<void> {
    this.reading = true
    let entries = first
    try {
      do {
        this.again = false
        entries ??= await this.log.read(this.sessionId, this.streamId, this.delivered, true)
        // Trimmed past what this connection delivered: end it, and the client's resume
        // gets the documented 400 instead of a stream with a hole in it.
        if (entries === null) {
          this.connection.end()
          return
        }
        if (!await this.write(entries)) return
        // A full page: there may be more already.
        if (entries.length === this.log.page) this.again = true
        entries = null
      } while (this.again)
    } catch (err) {
      // Redis is away: the next wake-up (or the reconnect) reads from `delivered` again.
      this.logger.warn({ err, sessionId: this.sessionId }, 'MCP Redis state could not read a stream log')
    } finally {
      this.reading = false
    }
  }

  /** Writes entries in order; false once the connection is done (ended, or gone). */
  private async write (entries: LogEntry[]): Promise<boolean> {
    const connection = this.connection
    for (const entry of entries) {
      if (entry.end) {
        connection.end()
        return false
      }
      connection.write(this.format(entry.seq, entry.data))
      this.delivered = entry.seq
      if (connection.congested) await connection.drained()
      if (connection.closed) return false
    }
    return true
  }

  private format (seq: number, data: string): string {
    const id = this.options.ids ? `${this.streamId}_${seq}` : undefined
    // A stream's first, empty event primes the client with an id and a retry interval
    // (2025-11-25 transports §Sending Messages #6). A resume starts after it, so a replay
    // never carries it.
    if (data === '') return formatEvent({ id, retry: this.options.retryInterval, data: '' })
    return formatEvent({ id, event: 'message', data })
  }
}
