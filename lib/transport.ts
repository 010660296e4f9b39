import type { FastifyBaseLogger } from 'fastify'
import type { ResolvedOptions } from './options.js'
import type { Cancellation } from './protocol/cancellation.js'
import { Dispatcher } from './protocol/dispatcher.js'
import { ErrorCode, McpError } from './protocol/jsonrpc.js'
import { versionAtLeast } from './protocol/versions.js'
import type { Session } from './sessions/session.js'
import { SessionRegistry } from './sessions/session-registry.js'
import type { EventStore } from './streams/event-store.js'
import { MessageStream } from './streams/message-stream.js'
import { StreamHub } from './streams/stream-hub.js'
import { Subscriptions } from './modern/subscriptions.js'

const shuttingDown = new McpError(ErrorCode.ConnectionClosed, 'The server is shutting down')

/** The state one registration of the plugin shares between its routes. */
export class Transport {
  readonly options: ResolvedOptions
  readonly hub: StreamHub
  readonly sessions: SessionRegistry
  readonly dispatcher: Dispatcher
  readonly store: EventStore | null
  readonly startedAt = Date.now()
  closing = false
  /** Modern-era (2026-07-28) requests in flight: they belong to no session. */
  readonly stateless = new Set<Cancellation>()
  /** Open subscriptions/listen streams (modern era). */
  readonly listeners = new Subscriptions()
  private closed: Promise<void> | null = null
  private drainWaiter: (() => void) | null = null

  constructor (options: ResolvedOptions) {
    this.options = options
    this.store = options.eventStore
    this.hub = new StreamHub(options.heartbeatInterval, options.maxStreamQueueBytes)
    const server = options.server
    const store = this.store
    this.sessions = new SessionRegistry({
      maxSessions: options.maxSessions,
      sessionTimeout: options.sessionTimeout,
      onClose: (session) => {
        if (store !== null) void store.dropSession(session.id)
        server.sessionClosed?.(session)
      }
    })
    this.dispatcher = new Dispatcher({
      server,
      requestTimeout: options.requestTimeout,
      maxPending: options.maxPendingPerSession,
      // Checked on the next turn: the finished request's response is written after its
      // handler settles, and the drain must not close streams before that.
      settled: () => { if (this.drainWaiter !== null) setImmediate(this.drainWaiter) }
    })
    server.attach?.({
      notify: (id, notification) => this.sessions.notify(id, notification),
      broadcast: (notification) => this.sessions.broadcast(notification) + this.listeners.broadcast(notification),
      publish: (notification) => this.listeners.broadcast(notification),
      request: (id, method, params, options) => {
        const session = this.sessions.get(id)
        if (session === undefined) return Promise.reject(new McpError(ErrorCode.ConnectionClosed, `Cannot send ${method}: session ${id} is unknown or has ended`))
        return this.dispatcher.requestOnStandalone(session, method, params, options)
      }
    })
  }

  /** A new logical SSE stream for the session, resumable when there is an event store. */
  messageStream (session: Session, log: FastifyBaseLogger): MessageStream {
    const stream = new MessageStream({
      sessionId: session.id,
      store: this.store,
      // 2025-11-25 §Sending Messages #6 adds priming events; older clients may choke on an
      // event with empty data, so they get none (as the official SDK does).
      priming: versionAtLeast(session.protocolVersion, '2025-11-25'),
      retryInterval: this.options.retryInterval,
      log
    })
    session.messageStreams.set(stream.id, stream)
    return stream
  }

  /**
   * Graceful shutdown: refuse new sessions, end standalone streams now (clients reconnect
   * elsewhere), give in-flight requests up to shutdownTimeout to answer, then abort the
   * rest and release everything. Idempotent.
   */
  close (): Promise<void> {
    if (this.closed === null) this.closed = this.shutdown()
    return this.closed
  }

  private async shutdown (): Promise<void> {
    this.closing = true
    // 2026-07-28 subscriptions: a graceful end sends each listen stream its result.
    this.listeners.closeAll()
    for (const session of this.sessions.values()) {
      // Fastify answers 503 to new requests while closing, so no client answer can arrive:
      // handlers waiting for one learn now instead of holding the drain until its bound.
      for (const pending of session.pending.values()) pending.reject(shuttingDown)
      const standalone = session.standalone
      if (standalone instanceof MessageStream) {
        standalone.release(this.options.retryInterval)
        session.standalone = null
      }
    }
    await this.drain(this.options.shutdownTimeout)
    for (const controller of this.stateless) controller.abort(shuttingDown)
    // Streams first, so each one's socket is closed with it (see SseStream.closeConnection).
    this.hub.closeAll()
    this.sessions.closeAll()
  }

  /** Resolves when no request is in flight, or after `timeout` ms, whichever is first. */
  private drain (timeout: number): Promise<void> {
    if (timeout === 0 || this.inflight() === 0) return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.drainWaiter = null
        resolve()
      }
      const timer = setTimeout(done, timeout)
      this.drainWaiter = () => { if (this.inflight() === 0) done() }
    })
  }

  private inflight (): number {
    let count = this.stateless.size
    for (const session of this.sessions.values()) count += session.inflight.size
    return count
  }
}
