import type { FastifyBaseLogger } from 'fastify'
import type { JsonRpcMessage } from '../protocol/jsonrpc.js'
import type { EventStore } from '../state/event-store.js'
import { formatEvent, type SseStream } from './sse-stream.js'

let streamCounter = 0
// Stream ids are unique across processes too (a shared event store may serve several), at
// the cost of a counter: a random prefix per process, then base-36 counting.
const processPrefix = Math.random().toString(36).slice(2, 8)

// A broadcast hands one message object to every session's stream in one synchronous loop:
// serialize it once, not 10,000 times. The memo lives for the current turn only, so a
// caller that mutates and resends an object on a later turn is serialized afresh.
let lastMessage: JsonRpcMessage | null = null
let lastData = ''

function serialize (message: JsonRpcMessage): string {
  if (message !== lastMessage) {
    if (lastMessage === null) queueMicrotask(forget)
    lastMessage = message
    lastData = JSON.stringify(message)
  }
  return lastData
}

function forget (): void {
  lastMessage = null
}

export function newStreamId (): string {
  return `${processPrefix}${(streamCounter++).toString(36)}`
}

/** `<streamId>_<seq>` → its parts, or null for an id this transport did not issue. */
export function parseEventId (eventId: string): { streamId: string, seq: number } | null {
  const sep = eventId.lastIndexOf('_')
  if (sep <= 0) return null
  const seq = Number(eventId.slice(sep + 1))
  return Number.isSafeInteger(seq) && seq >= 0 ? { streamId: eventId.slice(0, sep), seq } : null
}

export interface MessageStreamOptions {
  sessionId: string
  store: EventStore | null
  /** Write a priming event (id + empty data + retry) when a connection attaches. */
  priming: boolean
  retryInterval: number
  log: FastifyBaseLogger
}

/**
 * One logical SSE stream of a session (a POST's answer, or the standalone GET stream). It
 * outlives its HTTP connection: with an event store every message gets an id and is kept,
 * so a client that lost the connection resumes with Last-Event-ID and misses nothing
 * (2025-11-25 transports §Resumability). The connection comes and goes; the stream ends
 * only when finish() is called.
 */
export class MessageStream {
  readonly id: string
  connection: SseStream | null = null
  finished = false
  /** Sequence number of the last event given an id. */
  seq = 0
  protected readonly options: MessageStreamOptions

  constructor (options: MessageStreamOptions, id = newStreamId()) {
    this.id = id
    this.options = options
  }

  /** Sends a message now, and keeps it for a resume. False when no one can ever get it. */
  send (message: JsonRpcMessage): boolean {
    if (this.finished) return false
    const data = serialize(message)
    if (!this.resumable) {
      return this.connection !== null && this.connection.write(formatEvent({ event: 'message', data }))
    }
    const seq = ++this.seq
    this.keep(seq, data)
    this.connection?.write(formatEvent({ id: `${this.id}_${seq}`, event: 'message', data }))
    return true
  }

  /**
   * Makes `connection` the stream's connection, replacing any other. A fresh connection
   * starts with a priming event (2025-11-25 §Sending Messages #6) so that even a client
   * that gets nothing else can resume from it.
   */
  attach (connection: SseStream, prime: boolean): void {
    const previous = this.connection
    this.connection = connection
    if (previous !== null) previous.end()
    if (prime && this.resumable && this.options.priming) {
      const seq = ++this.seq
      this.keep(seq, '')
      connection.write(formatEvent({ id: `${this.id}_${seq}`, retry: this.options.retryInterval, data: '' }))
    }
  }

  /** Called when a connection went away: the stream lives on without it. */
  detach (connection: SseStream): void {
    if (this.connection === connection) this.connection = null
  }

  /**
   * Closes the connection without ending the stream (the polling pattern of 2025-11-25
   * §Sending Messages #6): the client reconnects with Last-Event-ID after `retry` ms.
   * False, and nothing closed, when the stream is not resumable: that would lose messages.
   */
  closeConnection (): boolean {
    if (!this.resumable || this.connection === null) return false
    const connection = this.connection
    this.connection = null
    connection.end()
    return true
  }

  /**
   * Shutdown: tells the client when to come back (a `retry` field, for another instance
   * behind the same address) and ends the connection; the stream itself takes no more.
   */
  release (retryInterval: number): void {
    this.connection?.write(`retry: ${retryInterval}\n\n`)
    this.finish()
  }

  /** The stream is complete: its connection ends and it takes no more messages. */
  finish (): void {
    if (this.finished) return
    this.finished = true
    const connection = this.connection
    this.connection = null
    connection?.end()
    this.ended()
  }

  /** Called once when the stream finished (a shared log records its end for remote readers). */
  protected ended (): void {}

  /** Whether events get ids and are kept for a resume: with an event store (or a log of a subclass's own). */
  protected get resumable (): boolean {
    return this.options.store !== null
  }

  /** Keeps one event for a resume (resumable streams only). */
  protected keep (seq: number, data: string): void {
    const store = this.options.store!
    try {
      const done = store.append(this.options.sessionId, this.id, seq, data)
      if (done !== undefined) done.catch((err: unknown) => this.options.log.error({ err }, 'MCP event store failed to append'))
    } catch (err) {
      this.options.log.error({ err }, 'MCP event store failed to append')
    }
  }
}
