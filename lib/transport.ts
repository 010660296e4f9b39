import type { McpServerHost } from '../types/index.js'
import type { ResolvedOptions } from './options.js'
import type { CallGate } from './access/call-gate.js'
import type { Cancellation } from './protocol/cancellation.js'
import { Dispatcher, type DispatcherOptions } from './protocol/dispatcher.js'
import { ErrorCode, McpError } from './protocol/jsonrpc.js'
import { SessionRegistry } from './sessions/session-registry.js'
import { StreamHub } from './streams/stream-hub.js'
import { Subscriptions } from './modern/subscriptions.js'
import type { Delivery } from './state/delivery.js'
import type { SharedState } from './state/state.js'
import { TaskEngine } from './tasks/task-engine.js'
import type { Telemetry } from './telemetry/telemetry.js'
import { TracedDispatcher } from './telemetry/traced-dispatcher.js'

const shuttingDown = new McpError(ErrorCode.ConnectionClosed, 'The server is shutting down')

/** The state one registration of the plugin shares between its routes. */
export class Transport {
  readonly options: ResolvedOptions
  readonly hub: StreamHub
  readonly sessions: SessionRegistry
  readonly dispatcher: Dispatcher
  readonly state: SharedState
  /** Where messages go: this process's streams, or another instance's through the state. */
  readonly delivery: Delivery
  /** With the `telemetry` option: spans, metrics, and trace context for messages. */
  readonly telemetry: Telemetry | null
  readonly startedAt = Date.now()
  closing = false
  /** Modern-era (2026-07-28) requests in flight: they belong to no session. */
  readonly stateless = new Set<Cancellation>()
  /** Open subscriptions/listen streams (modern era). */
  readonly listeners = new Subscriptions()
  /** Tasks (io.modelcontextprotocol/tasks), in the task store; handed to the server through attach(). */
  readonly tasks: TaskEngine
  /** Per-item scopes and per-call limits, checked before handlers; null without auth and rateLimit. */
  gate: CallGate | null = null
  private closed: Promise<void> | null = null
  private drainWaiter: (() => void) | null = null

  constructor (options: ResolvedOptions, state: SharedState, requestStateKeys?: Uint8Array[], telemetry: Telemetry | null = null) {
    this.options = options
    this.state = state
    this.telemetry = telemetry
    this.hub = new StreamHub(options.heartbeatInterval, options.maxStreamQueueBytes)
    const server = options.server
    const store = options.eventStore
    this.sessions = new SessionRegistry({
      maxSessions: options.maxSessions,
      sessionTimeout: options.sessionTimeout,
      store: state.sessions,
      onClose: (session) => {
        if (store !== null) void store.dropSession(session.id)
        this.delivery.dropSession(session)
        telemetry?.sessionEnded(session)
        server.sessionClosed?.(session)
      }
    })
    const dispatcherOptions: DispatcherOptions = {
      server,
      requestTimeout: options.requestTimeout,
      maxPending: options.maxPendingPerSession,
      // Checked on the next turn: the finished request's response is written after its
      // handler settles, and the drain must not close streams before that.
      settled: () => { if (this.drainWaiter !== null) setImmediate(this.drainWaiter) },
      // What no handler here waits for may be waited for on another instance.
      unmatched: {
        response: (session, response) => this.delivery.forwardResponse(session, response),
        cancel: (session, requestId, reason) => this.delivery.forwardCancel(session, requestId, reason)
      }
    }
    // Telemetry wraps the dispatcher rather than adding checks to it: without the option the
    // request path is exactly the plain one.
    this.dispatcher = telemetry === null ? new Dispatcher(dispatcherOptions) : new TracedDispatcher(dispatcherOptions, telemetry)
    this.delivery = state.delivery(this)
    const delivery = this.delivery
    const taskOptions = options.tasks
    // The application's own task store, or the state's (memory, or Redis with redisState):
    // closed by app.close() only when the plugin made it.
    const own = taskOptions.store === null || taskOptions.signals === null
    const taskState = own
      ? state.tasks({ maxTasks: taskOptions.maxTasks, maxTasksPerOwner: taskOptions.maxTasksPerOwner })
      : { store: taskOptions.store!, signals: taskOptions.signals! }
    this.tasks = new TaskEngine({ ...taskState, leaseTimeout: taskOptions.leaseTimeout, ownsState: own })
    const host: McpServerHost = {
      requestStateKeys,
      tasks: this.tasks,
      notify: (id, notification) => delivery.notify(id, notification),
      broadcast: (notification) => delivery.broadcast(notification),
      publish: (notification) => delivery.publish(notification),
      hideUnauthorized: options.auth?.hideUnauthorized === true,
      clustered: state.sessions !== null,
      notifySubscribers: (uri, notification) => delivery.notifySubscribers(uri, notification),
      subscribe: (id, uri) => {
        const session = this.sessions.get(id)
        if (session !== undefined) this.sessions.subscribe(session, uri)
      },
      unsubscribe: (id, uri) => {
        const session = this.sessions.get(id)
        if (session !== undefined) this.sessions.unsubscribe(session, uri)
      },
      request: (id, method, params, requestOptions) => {
        const session = this.sessions.get(id)
        if (session === undefined) return Promise.reject(new McpError(ErrorCode.ConnectionClosed, `Cannot send ${method}: session ${id} is unknown or has ended`))
        return this.dispatcher.requestOnStandalone(session, method, params, requestOptions)
      }
    }
    server.attach?.(telemetry === null ? host : telemetry.host(host))
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
    // Fastify answers 503 to new requests while closing, so no client answer can arrive:
    // handlers waiting for one learn now instead of holding the drain until its bound.
    for (const session of this.sessions.values()) {
      for (const pending of session.pending.values()) pending.reject(shuttingDown)
    }
    // Standalone streams end now, with a `retry`: their clients come back (elsewhere).
    this.delivery.release(this.options.retryInterval)
    await this.drain(this.options.shutdownTimeout)
    for (const controller of this.stateless) controller.abort(shuttingDown)
    // Streams first, so each one's socket is closed with it (see SseStream.closeConnection).
    this.hub.closeAll()
    this.sessions.closeAll()
    // Tasks this instance runs fail now with a message saying why, not after their lease.
    await this.tasks.close()
    await this.state.close()
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
