// The task store seam (io.modelcontextprotocol/tasks 2026-07-28, and the 2025-11-25
// experimental tasks utility): where tasks live between the request that created them and
// the polls that read them. Every method is async and every record is plain JSON, so a
// shared store (Redis: one hash per task with a TTL from ttlMs) implements the same
// interface as the in-process default. The store is the source of truth: the engine keeps
// nothing about a task that another instance would need.
import type { Result } from '../protocol/jsonrpc.js'

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled'

/** tasks.md §Task Status: a terminal task never changes again. */
export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled'])
export const LIVE_STATUSES: readonly TaskStatus[] = ['working', 'input_required']

export function isTerminal (status: TaskStatus): boolean {
  return TERMINAL_STATUSES.has(status)
}

/** One server-to-client request a task waits on (an MRTR InputRequest: method and params). */
export interface TaskInputRequest {
  method: string
  params?: Result
}

/** A JSON-RPC error as a failed task carries it. */
export interface TaskError {
  code: number
  message: string
  data?: unknown
}

export interface TaskRecord {
  /** Unguessable (crypto random) id. */
  id: string
  /** Who may see and touch the task: the auth identity, or the legacy session without auth; '' for anyone holding the id. */
  owner: string
  /** The request the task augments (only tools/call today). */
  method: string
  /** The legacy session that created it, for notifications/tasks/status; absent in the modern era. */
  sessionId?: string
  /** The protocol version of the request that created it (chooses the wire shape of its notifications). */
  protocolVersion: string
  status: TaskStatus
  statusMessage?: string
  /** Milliseconds since the epoch. */
  createdAt: number
  lastUpdatedAt: number
  /** Lifetime from createdAt; null for unlimited (the store may still bound it). */
  ttlMs: number | null
  pollIntervalMs?: number
  /** status completed: the tool's result. */
  result?: Result
  /** status failed: the JSON-RPC error. */
  error?: TaskError
  /** Outstanding input requests by key (status input_required while any is left). */
  inputRequests: Record<string, TaskInputRequest>
  /** Answers delivered by tasks/update (or the 2025-11-25 flow), by key, for the runner to read. */
  inputResponses: Record<string, Result>
  /** Every key ever issued for this task: keys are unique for the task's life (tasks.md §Task Update Requests). */
  usedKeys: string[]
  /** Until when (ms since the epoch) the instance running the task vouches it is alive. */
  leaseUntil: number
}

/** A change the store applies atomically, and only while the task's status is one of `from`. */
export interface TaskPatch {
  status?: TaskStatus
  statusMessage?: string
  result?: Result
  error?: TaskError
  leaseUntil?: number
}

export interface TaskPage {
  tasks: TaskRecord[]
  /** Opaque; absent on the last page. */
  nextCursor?: string
}

export interface TaskStore {
  /** Stores a new task. Resolves once a get() anywhere would find it; rejects with TaskCapacityError past the store's caps. */
  create (record: TaskRecord): Promise<void>
  /** The task, or undefined when unknown, deleted or past its TTL. */
  get (id: string): Promise<TaskRecord | undefined>
  /**
   * Compare-and-set: applies `patch` only when the task exists and its status is one of
   * `from`; resolves with the updated record, or undefined when nothing was changed. This is
   * what gives a cancellation racing a completion exactly one winner.
   */
  update (id: string, from: readonly TaskStatus[], patch: TaskPatch): Promise<TaskRecord | undefined>
  /**
   * Adds an outstanding input request while the task is live, and moves it to input_required.
   * Resolves undefined when the task is gone or terminal; rejects when `key` was used before.
   */
  requestInput (id: string, key: string, request: TaskInputRequest): Promise<TaskRecord | undefined>
  /**
   * Records answers for keys that are outstanding (others are ignored: tasks.md §Task Update
   * Requests), each at most once; with none left outstanding an input_required task is
   * working again. Resolves with the keys accepted.
   */
  answerInput (id: string, responses: Record<string, Result>): Promise<string[]>
  /** One page of the owner's tasks, oldest first (2025-11-25 tasks/list). Rejects with TaskCursorError for a cursor it did not issue. */
  list (owner: string, cursor: string | undefined, limit: number): Promise<TaskPage>
  delete (id: string): Promise<boolean>
  /** Deletes every task past its TTL; resolves with how many. */
  sweep (now?: number): Promise<number>
  /** Releases what the store holds (timers, connections). */
  close (): Promise<void>
}

/** The store holds its maximum of live tasks (in all, or for one owner). */
export class TaskCapacityError extends Error {
  readonly limit: number
  readonly scope: 'server' | 'owner'

  constructor (scope: 'server' | 'owner', limit: number) {
    super(scope === 'server'
      ? `The server holds its maximum of ${limit} live tasks; retry when some finish (maxTasks)`
      : `You hold the maximum of ${limit} live tasks; wait for some to finish or cancel them (maxTasksPerOwner)`)
    this.scope = scope
    this.limit = limit
  }
}

/** A tasks/list cursor the store did not issue. */
export class TaskCursorError extends Error {
  constructor (cursor: string) {
    super(`Invalid cursor: ${cursor} was not issued by this server; list again without a cursor`)
  }
}

/** An opaque tasks/list cursor: the last task given (its creation time and id). */
export function encodeTaskCursor (record: TaskRecord): string {
  return Buffer.from(JSON.stringify([record.createdAt, record.id])).toString('base64url')
}

/** The [createdAt, id] a cursor names; TaskCursorError for one this server did not issue. */
export function decodeTaskCursor (cursor: string): [number, string] {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown]
    if (typeof createdAt === 'number' && typeof id === 'string') return [createdAt, id]
  } catch {}
  throw new TaskCursorError(cursor)
}
