// The one tasks engine behind both wire formats (io.modelcontextprotocol/tasks 2026-07-28
// and the 2025-11-25 experimental tasks utility). It knows tasks, not tools: start() stores
// a task durably and runs the given work as it, and the read paths (get, update, cancel,
// list, wait) work on any instance that shares the store. What only the running instance
// can do (abort the handler, hand it the input answers) is reached through TaskSignals.
import { randomUUID } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import { ErrorCode, McpError, type Result } from '../protocol/jsonrpc.js'
import type { TaskSignal, TaskSignalListener, TaskSignals } from '../state/task-signals.js'
import {
  LIVE_STATUSES,
  TaskCapacityError,
  isTerminal,
  type TaskError,
  type TaskInputRequest,
  type TaskPage,
  type TaskPatch,
  type TaskRecord,
  type TaskStore
} from '../state/task-store.js'

/** How long a task's runner vouches it is alive before a reader may call it dead: 30 s. */
export const DEFAULT_TASK_LEASE_TIMEOUT = 30_000

export const LEASE_EXPIRED_MESSAGE = 'The server instance running this task stopped before it finished (its lease expired)'
export const SHUTDOWN_MESSAGE = 'The server shut down before this task finished'
export const CANCELLED_MESSAGE = 'The task was cancelled by request'

export interface TaskEngineOptions {
  store: TaskStore
  signals: TaskSignals
  /** Milliseconds a runner's lease lasts; it is renewed every third of that. */
  leaseTimeout: number
  /** Whether close() also closes the store and the signals (true when the transport made them). */
  ownsState: boolean
}

export interface TaskStartOptions {
  owner: string
  method: string
  protocolVersion: string
  sessionId?: string
  ttlMs: number
  pollIntervalMs?: number
  /**
   * 2025-11-25 tasks §Task Status: a tool result with isError is `failed` there; the
   * 2026-07-28 extension makes it `completed` (tasks.md §Task Execution Errors).
   */
  toolErrorFails: boolean
}

/** What the work of a task holds while it runs. */
export interface TaskRun {
  readonly id: string
  /** Aborted by tasks/cancel (from any instance), an expired TTL, or shutdown. */
  readonly signal: AbortSignal
  setStatusMessage (message: string): Promise<void>
  /** 2026-07-28: surfaces `request` in inputRequests under `key` and resolves with the tasks/update answer. */
  requestInput (key: string, request: TaskInputRequest): Promise<Result>
  /** 2025-11-25: marks the task input_required while the work waits on a direct request (counted). */
  awaitingInput (waiting: boolean): Promise<void>
}

export type TaskWork = (run: TaskRun) => Promise<Result>

/** Why cancel() did not cancel: the task is unknown (or another owner's), or already terminal. */
export type CancelOutcome = { cancelled: true, task: TaskRecord } | { cancelled: false, task: TaskRecord | undefined }

function toTaskError (err: unknown, log: FastifyBaseLogger): TaskError {
  if (err instanceof McpError) {
    const error: TaskError = { code: err.code, message: err.message }
    if (err.data !== undefined) error.data = err.data
    return error
  }
  // Internals stay in the log, as for a request (dispatcher toErrorResponse).
  log.error({ err }, 'MCP task failed')
  return { code: ErrorCode.InternalError, message: 'Internal error' }
}

class RunningTask implements TaskRun {
  readonly id: string
  private readonly controller = new AbortController()
  private readonly engine: TaskEngine
  private readonly waiters = new Map<string, () => void>()
  private waiting = 0
  lease: NodeJS.Timeout | undefined
  unsubscribe: (() => void) | undefined

  constructor (engine: TaskEngine, id: string) {
    this.engine = engine
    this.id = id
  }

  get signal (): AbortSignal {
    return this.controller.signal
  }

  abort (reason: string): void {
    if (!this.controller.signal.aborted) this.controller.abort(new McpError(ErrorCode.ConnectionClosed, reason))
  }

  onSignal: TaskSignalListener = (signal: TaskSignal) => {
    if (signal.type === 'cancel') this.abort(CANCELLED_MESSAGE)
    else if (signal.type === 'input') this.wake()
  }

  /** Waiting inputs look in the store again (on an input signal, and every lease renewal). */
  wake (): void {
    for (const check of this.waiters.values()) check()
  }

  async setStatusMessage (message: string): Promise<void> {
    await this.engine.change(this.id, LIVE_STATUSES, { statusMessage: message })
  }

  async requestInput (key: string, request: TaskInputRequest): Promise<Result> {
    this.signal.throwIfAborted()
    const store = this.engine.store
    const asked = await store.requestInput(this.id, key, request)
    if (asked === undefined) throw this.gone()
    this.engine.announce(asked).catch(() => {})
    return new Promise<Result>((resolve, reject) => {
      const check = (): void => {
        store.get(this.id).then((record) => {
          const answer = record?.inputResponses[key]
          if (answer !== undefined) finish(() => resolve(answer))
          else if (record === undefined || isTerminal(record.status)) finish(() => reject(this.gone()))
        }, (err: unknown) => finish(() => reject(err)))
      }
      const onAbort = (): void => finish(() => reject(this.signal.reason))
      const finish = (settle: () => void): void => {
        this.waiters.delete(key)
        this.signal.removeEventListener('abort', onAbort)
        settle()
      }
      this.waiters.set(key, check)
      this.signal.addEventListener('abort', onAbort, { once: true })
      // An answer may have arrived between requestInput and the listener: look once now.
      check()
    })
  }

  async awaitingInput (waiting: boolean): Promise<void> {
    this.waiting += waiting ? 1 : -1
    if (waiting && this.waiting === 1) await this.engine.change(this.id, ['working'], { status: 'input_required' })
    else if (!waiting && this.waiting === 0) await this.engine.change(this.id, ['input_required'], { status: 'working' })
  }

  private gone (): McpError {
    return new McpError(ErrorCode.ConnectionClosed, 'The task ended while it waited for input')
  }
}

export class TaskEngine {
  readonly store: TaskStore
  readonly signals: TaskSignals
  private readonly leaseTimeout: number
  private readonly ownsState: boolean
  private readonly running = new Map<string, RunningTask>()
  private log: FastifyBaseLogger | undefined

  constructor (options: TaskEngineOptions) {
    this.store = options.store
    this.signals = options.signals
    this.leaseTimeout = options.leaseTimeout
    this.ownsState = options.ownsState
  }

  /** Tasks this instance is running now (the count a test checks returns to zero). */
  get size (): number {
    return this.running.size
  }

  /**
   * Creates the task and starts `work` as it. Resolves with the stored record only once the
   * store has it (tasks.md §Task Creation: CreateTaskResult only when a tasks/get resolves).
   * Past the store's caps it rejects with -32603 and a message saying which cap.
   */
  async start (options: TaskStartOptions, work: TaskWork, log: FastifyBaseLogger): Promise<TaskRecord> {
    this.log ??= log
    const now = Date.now()
    const record: TaskRecord = {
      id: randomUUID(),
      owner: options.owner,
      method: options.method,
      protocolVersion: options.protocolVersion,
      status: 'working',
      createdAt: now,
      lastUpdatedAt: now,
      ttlMs: options.ttlMs,
      inputRequests: {},
      inputResponses: {},
      usedKeys: [],
      leaseUntil: now + this.leaseTimeout
    }
    if (options.sessionId !== undefined) record.sessionId = options.sessionId
    if (options.pollIntervalMs !== undefined) record.pollIntervalMs = options.pollIntervalMs
    try {
      await this.store.create(record)
    } catch (err) {
      if (err instanceof TaskCapacityError) throw new McpError(ErrorCode.InternalError, err.message, { limit: err.limit, scope: err.scope })
      throw err
    }
    const run = new RunningTask(this, record.id)
    this.running.set(record.id, run)
    run.unsubscribe = await this.signals.subscribe(record.id, run.onSignal)
    run.lease = setInterval(() => { void this.renew(run) }, Math.max(1, Math.floor(this.leaseTimeout / 3)))
    run.lease.unref()
    void this.execute(run, work, options.toolErrorFails, log)
    return record
  }

  /** The task for `owner`, or undefined (unknown, expired, or another owner's: -32602 alike). */
  async get (id: string, owner: string): Promise<TaskRecord | undefined> {
    const record = await this.store.get(id)
    if (record === undefined || record.owner !== owner) return undefined
    if (isTerminal(record.status) || record.leaseUntil >= Date.now()) return record
    // Nobody renewed the lease: the instance running the task is gone, and the task with it.
    return await this.change(id, LIVE_STATUSES, {
      status: 'failed',
      statusMessage: LEASE_EXPIRED_MESSAGE,
      error: { code: ErrorCode.InternalError, message: LEASE_EXPIRED_MESSAGE }
    }) ?? await this.store.get(id)
  }

  /** Delivers answers for outstanding keys (others ignored); false when the task is unknown to `owner`. */
  async update (id: string, owner: string, responses: Record<string, Result>): Promise<boolean> {
    const record = await this.get(id, owner)
    if (record === undefined) return false
    const accepted = await this.store.answerInput(id, responses)
    if (accepted.length > 0) {
      await this.signals.publish(id, { type: 'input' })
      const now = await this.store.get(id)
      if (now !== undefined) await this.announce(now)
    }
    return true
  }

  /**
   * Cancels a live task: it is `cancelled` before this resolves (2025-11-25 §Task
   * Cancellation), and its runner, wherever it is, aborts the handler's signal. The store's
   * compare-and-set makes a completion racing this either win or lose, never both.
   */
  async cancel (id: string, owner: string): Promise<CancelOutcome> {
    const record = await this.get(id, owner)
    if (record === undefined || isTerminal(record.status)) return { cancelled: false, task: record }
    const cancelled = await this.change(id, LIVE_STATUSES, { status: 'cancelled', statusMessage: CANCELLED_MESSAGE })
    if (cancelled === undefined) return { cancelled: false, task: await this.store.get(id) }
    await this.signals.publish(id, { type: 'cancel' })
    return { cancelled: true, task: cancelled }
  }

  list (owner: string, cursor: string | undefined, limit: number): Promise<TaskPage> {
    return this.store.list(owner, cursor, limit)
  }

  /** Resolves with the task once terminal (2025-11-25 tasks/result blocks), or undefined if it vanished. */
  async waitForTerminal (id: string, owner: string, signal: AbortSignal): Promise<TaskRecord | undefined> {
    let wake: (() => void) | undefined
    const unsubscribe = await this.signals.subscribe(id, (s) => { if (s.type === 'status') wake?.() })
    // Also looked at every lease period: a dead runner sends no signal, its lease tells.
    const timer = setInterval(() => wake?.(), this.leaseTimeout)
    timer.unref()
    const onAbort = (): void => wake?.()
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      for (;;) {
        const changed = new Promise<void>((resolve) => { wake = resolve })
        const record = await this.get(id, owner)
        if (record === undefined || isTerminal(record.status)) return record
        signal.throwIfAborted()
        await changed
      }
    } finally {
      clearInterval(timer)
      signal.removeEventListener('abort', onAbort)
      unsubscribe()
    }
  }

  /** Calls `listener` with the task each time it changes, until the returned function is called. */
  watch (id: string, listener: (task: TaskRecord) => void): Promise<() => void> {
    return this.signals.subscribe(id, (signal) => { if (signal.type === 'status') listener(signal.task) })
  }

  /** Applies a compare-and-set change and tells the task's listeners. */
  async change (id: string, from: readonly TaskRecord['status'][], patch: TaskPatch): Promise<TaskRecord | undefined> {
    const record = await this.store.update(id, from, patch)
    if (record !== undefined) await this.announce(record)
    return record
  }

  announce (record: TaskRecord): Promise<void> {
    return this.signals.publish(record.id, { type: 'status', task: record })
  }

  /**
   * Graceful end: every task this instance runs is failed with a message saying why (so
   * pollers learn at once rather than after the lease), its handler aborted; then the
   * state is released if the transport made it.
   */
  async close (): Promise<void> {
    const runs = [...this.running.values()]
    await Promise.all(runs.map(async (run) => {
      this.release(run)
      run.abort(SHUTDOWN_MESSAGE)
      // A store that cannot be reached now leaves the task to its lease: a reader elsewhere
      // fails it once the lease has run out. Shutdown goes on either way.
      await this.change(run.id, LIVE_STATUSES, {
        status: 'failed',
        statusMessage: SHUTDOWN_MESSAGE,
        error: { code: ErrorCode.InternalError, message: SHUTDOWN_MESSAGE }
      }).catch(() => {})
    }))
    if (this.ownsState) {
      await this.signals.close()
      await this.store.close()
    }
  }

  private async execute (run: RunningTask, work: TaskWork, toolErrorFails: boolean, log: FastifyBaseLogger): Promise<void> {
    let patch: TaskPatch
    try {
      const result = await work(run)
      patch = toolErrorFails && result.isError === true
        ? { status: 'failed', result, statusMessage: 'The tool reported an error' }
        : { status: 'completed', result }
    } catch (err) {
      const error = toTaskError(err, log)
      patch = { status: 'failed', error, statusMessage: error.message }
    }
    // Lost to a cancellation, an expiry or a shutdown when the task is no longer live.
    if (this.running.get(run.id) === run) {
      this.release(run)
      // An unreachable store leaves the task to its lease (a reader fails it after).
      await this.change(run.id, LIVE_STATUSES, patch).catch(() => {})
    }
  }

  private async renew (run: RunningTask): Promise<void> {
    let renewed: TaskRecord | undefined
    try {
      renewed = await this.store.update(run.id, LIVE_STATUSES, { leaseUntil: Date.now() + this.leaseTimeout })
    } catch {
      // The store is unreachable (a shared one that is down): the next renewal tries again,
      // and if none gets through, the lease runs out and a reader fails the task.
      return
    }
    if (this.running.get(run.id) !== run) return
    if (renewed !== undefined) {
      // Signals are wake-ups that may be lost: an answer in the store is found by the next renewal.
      run.wake()
      return
    }
    // Gone (TTL) or terminal (cancelled elsewhere): the work has nobody left to answer.
    this.release(run)
    run.abort('The task ended (cancelled or expired) while it ran')
  }

  private release (run: RunningTask): void {
    clearInterval(run.lease)
    run.unsubscribe?.()
    this.running.delete(run.id)
  }
}
