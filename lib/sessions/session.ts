import type { Implementation, LoggingLevel, McpSessionInfo } from '../../types/index.js'
import type { JsonRpcMessage, RequestId, Result } from '../protocol/jsonrpc.js'
import type { Cancellation } from '../protocol/cancellation.js'
import type { MessageStream } from '../streams/message-stream.js'
import type { SseStream } from '../streams/sse-stream.js'

/** Anything that takes the session's unrelated messages: a MessageStream, or the raw SSE
 * stream of the HTTP+SSE transport. */
export interface MessageSink {
  send (message: JsonRpcMessage): boolean
}

export type SessionKind = 'streamable' | 'sse'

/** The fields of a session that a shared state keeps in its record (see SessionStore). */
export type SessionField = 'hello' | 'logLevel'

/** Where changes to a session's record go: the state's session store. */
export interface SessionRecordSink {
  /** Saves the field; settles (never rejects) once other instances can read it. */
  saveField (session: Session, field: SessionField): Promise<void>
}

export interface PendingRequest {
  resolve: (result: Result) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

/**
 * One legacy-era session: what was negotiated, the work in flight, and the streams open
 * for it. Everything here is released by close(), whichever way the session ends.
 */
export class Session implements McpSessionInfo {
  readonly id: string
  /** Which transport opened it: a session never answers on the other one's routes. */
  readonly kind: SessionKind
  protocolVersion = ''
  clientCapabilities: Record<string, unknown> = {}
  clientInfo: Implementation | undefined = undefined
  /**
   * With the `auth` option: who created the session (see ownerOf); requests with another
   * identity's token do not find it. Undefined without `auth`.
   */
  owner: string | undefined = undefined
  readonly createdAt: number
  lastActivity: number
  /** The standalone GET stream, for messages unrelated to any request. */
  standalone: MessageSink | null = null
  /**
   * With a shared state: the id of the session's one standalone stream in the cluster (as
   * the record says; null without one), and when this instance last extended the record's TTL.
   */
  standaloneId: string | null = null
  touchedAt = 0
  /** Set by a shared state: record changes are saved through it. */
  record: SessionRecordSink | null = null
  /** Record changes not yet saved; null when there are none (always, in memory). */
  saving: Promise<void> | null = null
  /**
   * Set by a shared state: server-to-client request ids carry this instance's prefix, so an
   * answer POSTed to another instance finds its way back (ids are unique across the cluster).
   */
  outboundPrefix: string | null = null
  /** Logical streams still in use (a POST being answered, the GET stream), by stream id. */
  readonly messageStreams = new Map<string, MessageStream>()
  /** Client requests being handled, by JSON-RPC id, to abort on cancellation. */
  readonly inflight = new Map<RequestId, Cancellation>()
  /** Server-to-client requests waiting for the client's answer. */
  readonly pending = new Map<RequestId, PendingRequest>()
  /** Every open SSE connection of this session (POST responses and GET streams). */
  readonly streams = new Set<SseStream>()
  private lazyState: Map<string, unknown> | null = null
  private endReason: Error | null = null
  private nextOutboundId = 0
  private level: LoggingLevel | undefined = undefined

  constructor (id: string, now: number, kind: SessionKind = 'streamable') {
    this.id = id
    this.kind = kind
    this.createdAt = now
    this.lastActivity = now
  }

  get state (): Map<string, unknown> {
    if (this.lazyState === null) this.lazyState = new Map()
    return this.lazyState
  }

  /** A session with an open stream or work in flight is in use, never idle. */
  get busy (): boolean {
    return this.streams.size > 0 || this.inflight.size > 0
  }

  /** Set by logging/setLevel; saved to the shared record when there is one. */
  get logLevel (): LoggingLevel | undefined {
    return this.level
  }

  set logLevel (level: LoggingLevel | undefined) {
    this.level = level
    this.changed('logLevel')
  }

  /** A level another instance set (the record already has it). */
  applyLogLevel (level: LoggingLevel | undefined): void {
    this.level = level
  }

  outboundId (): RequestId {
    const n = this.nextOutboundId++
    return this.outboundPrefix === null ? n : `${this.outboundPrefix}${n}`
  }

  /**
   * Records a change to the record (log level, handshake) for a shared state. The request
   * that made it is answered only once it is saved (see `saving`), so a client's next
   * request, on any instance, sees it.
   */
  changed (field: SessionField): void {
    const record = this.record
    if (record !== null) this.awaitSave(record.saveField(this, field))
  }

  /** A save of this session's record under way: answers wait for it (see `saving`). */
  awaitSave (saved: Promise<void>): void {
    const previous = this.saving
    const all = previous === null ? saved : Promise.all([previous, saved]).then(() => {})
    this.saving = all
    void all.then(() => { if (this.saving === all) this.saving = null })
  }

  /** Sends an unrelated message on the standalone stream; false when it reaches no one. */
  sendUnrelated (message: JsonRpcMessage): boolean {
    const stream = this.standalone
    return stream !== null && stream.send(message)
  }

  /** Ended: by DELETE, expiry, its HTTP+SSE stream closing, or shutdown. */
  get closed (): boolean {
    return this.endReason !== null
  }

  /**
   * Counts a request as in flight until the dispatcher deletes it. A session that already
   * ended (its handler closed it before returning) aborts the request at once instead.
   */
  track (id: RequestId, cancellation: Cancellation): void {
    if (this.endReason !== null) cancellation.abort(this.endReason)
    else this.inflight.set(id, cancellation)
  }

  /** Aborts in-flight work (which settles its pending requests) and ends the streams. */
  close (reason: Error): void {
    // The registry removes a session before closing it, so this runs once.
    this.endReason = reason
    // Each pending server-to-client request belongs to an in-flight request, and aborting
    // that request settles it (and tells the client with notifications/cancelled).
    for (const cancellation of this.inflight.values()) cancellation.abort(reason)
    this.inflight.clear()
    // What is still waiting was sent on the standalone stream, owned by no client request.
    for (const pending of [...this.pending.values()]) pending.reject(reason)
    for (const stream of this.messageStreams.values()) stream.finish()
    this.messageStreams.clear()
    for (const stream of this.streams) stream.end()
    this.streams.clear()
    this.standalone = null
    this.lazyState = null
  }
}
