import type { FastifyBaseLogger } from 'fastify'
import type { ResolvedOptions } from '../options.js'
import type { Dispatcher } from '../protocol/dispatcher.js'
import type { SessionRegistry } from '../sessions/session-registry.js'
import type { StreamHub } from '../streams/stream-hub.js'
import type { Subscriptions } from '../modern/subscriptions.js'
import type { Delivery } from './delivery.js'
import type { SessionStore } from './session-store.js'
import type { TaskSignals } from './task-signals.js'
import type { TaskStore } from './task-store.js'

/** What a delivery works with: the plugin instance's own streams, sessions and dispatcher. */
export interface DeliveryContext {
  readonly options: ResolvedOptions
  readonly hub: StreamHub
  readonly sessions: SessionRegistry
  readonly listeners: Subscriptions
  readonly dispatcher: Dispatcher
}

export interface TaskLimits {
  /** Most tasks kept (live or finished, until their TTL). */
  maxTasks: number
  /** Most live tasks per owner. */
  maxTasksPerOwner: number
}

/** What a state backend is opened with, once per plugin registration. */
export interface StateOpenContext {
  readonly options: ResolvedOptions
  readonly log: FastifyBaseLogger
}

/**
 * One plugin instance's view of where state lives (design.md "State and scale"): the
 * session store, and the delivery built on the event log and the bus. The memory state
 * keeps everything in this process; a shared state lets N instances act as one server.
 */
export interface SharedState {
  readonly kind: string
  /** Where session records live beyond this process; null: the registry's Sessions are the records. */
  readonly sessions: SessionStore | null
  /**
   * Shared state only: an ioredis client that other shared counts may live in (the
   * `rateLimit` counts, when that option names no store), on the Redis every instance uses.
   */
  readonly redis?: unknown
  /** Builds the delivery once the transport's own parts exist. */
  delivery (context: DeliveryContext): Delivery
  /**
   * Shared state only: the keys that sign 2026-07-28 requestState (the first signs, all
   * verify), the same on every instance, so an input_required round started on one
   * instance completes on another.
   */
  requestStateKeys? (): Promise<Uint8Array[]>
  /** The task store and signals of this state, with the transport's caps. */
  tasks (limits: TaskLimits): { store: TaskStore, signals: TaskSignals }
  /** Releases every connection and subscription the state opened (never the user's client). */
  close (): Promise<void>
}

/** The `state` option: memoryState() (the default) or redisState({ client }). */
export interface StateBackend {
  readonly kind: string
  open (context: StateOpenContext): SharedState | Promise<SharedState>
}
