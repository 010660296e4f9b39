// The default task store: one Map in this process. Bounded twice (maxTasks records in all,
// maxTasksPerOwner live tasks per owner) so a client cannot grow it without limit, and
// records leave at createdAt + ttlMs: reads treat an expired task as gone at once, and one
// unref'd sweeper deletes them. Records are copied in and out, as a shared store would
// serialise them, so no caller holds a reference into the store.
import type { Result } from '../../protocol/jsonrpc.js'
import {
  LIVE_STATUSES,
  TaskCapacityError,
  decodeTaskCursor,
  encodeTaskCursor,
  isTerminal,
  type TaskInputRequest,
  type TaskPage,
  type TaskPatch,
  type TaskRecord,
  type TaskStatus,
  type TaskStore
} from '../task-store.js'

export const DEFAULT_MAX_TASKS = 10_000
export const DEFAULT_MAX_TASKS_PER_OWNER = 100
export const DEFAULT_TASK_SWEEP_INTERVAL = 60_000

export interface MemoryTaskStoreOptions {
  /** Most tasks kept (live or finished, until their TTL). Default 10000. */
  maxTasks?: number
  /** Most live (working or input_required) tasks one owner may have. Default 100. */
  maxTasksPerOwner?: number
  /** Milliseconds between sweeps of expired tasks. Default 60000. */
  sweepInterval?: number
}

function expired (record: TaskRecord, now: number): boolean {
  return record.ttlMs !== null && now >= record.createdAt + record.ttlMs
}

export class MemoryTaskStore implements TaskStore {
  private readonly tasks = new Map<string, TaskRecord>()
  /** Live tasks per owner (the per-owner cap counts these). */
  private readonly live = new Map<string, number>()
  private readonly maxTasks: number
  private readonly maxTasksPerOwner: number
  private readonly sweepInterval: number
  /** Started by the first task: a plugin whose server never runs one holds no timer. */
  private sweeper: NodeJS.Timeout | undefined

  constructor (options: MemoryTaskStoreOptions = {}) {
    this.maxTasks = options.maxTasks ?? DEFAULT_MAX_TASKS
    this.maxTasksPerOwner = options.maxTasksPerOwner ?? DEFAULT_MAX_TASKS_PER_OWNER
    this.sweepInterval = options.sweepInterval ?? DEFAULT_TASK_SWEEP_INTERVAL
  }

  /** Tasks held now, expired or not (the count a test checks returns to zero). */
  get size (): number {
    return this.tasks.size
  }

  async create (record: TaskRecord): Promise<void> {
    if (this.tasks.size >= this.maxTasks) {
      // Expired records do not count against the cap: sweep before refusing.
      await this.sweep()
      if (this.tasks.size >= this.maxTasks) throw new TaskCapacityError('server', this.maxTasks)
    }
    const live = this.live.get(record.owner) ?? 0
    if (live >= this.maxTasksPerOwner) throw new TaskCapacityError('owner', this.maxTasksPerOwner)
    this.tasks.set(record.id, structuredClone(record))
    this.live.set(record.owner, live + 1)
    if (this.sweeper === undefined) {
      this.sweeper = setInterval(() => { void this.sweep() }, this.sweepInterval)
      this.sweeper.unref()
    }
  }

  async get (id: string): Promise<TaskRecord | undefined> {
    const record = this.find(id)
    return record === undefined ? undefined : structuredClone(record)
  }

  async update (id: string, from: readonly TaskStatus[], patch: TaskPatch): Promise<TaskRecord | undefined> {
    const record = this.find(id)
    if (record === undefined || !from.includes(record.status)) return undefined
    const wasLive = !isTerminal(record.status)
    Object.assign(record, structuredClone(patch))
    if (patch.status !== undefined || patch.statusMessage !== undefined || patch.result !== undefined || patch.error !== undefined) {
      record.lastUpdatedAt = Date.now()
    }
    if (isTerminal(record.status)) {
      record.inputRequests = {}
      if (wasLive) this.released(record.owner)
    }
    return structuredClone(record)
  }

  async requestInput (id: string, key: string, request: TaskInputRequest): Promise<TaskRecord | undefined> {
    const record = this.find(id)
    if (record === undefined || isTerminal(record.status)) return undefined
    // tasks.md §Task Update Requests: a key names one request for the task's whole life.
    if (record.usedKeys.includes(key)) throw new Error(`Input key ${JSON.stringify(key)} was already used by this task; every input request needs a key of its own`)
    record.usedKeys.push(key)
    record.inputRequests[key] = structuredClone(request)
    record.status = 'input_required'
    record.lastUpdatedAt = Date.now()
    return structuredClone(record)
  }

  async answerInput (id: string, responses: Record<string, Result>): Promise<string[]> {
    const record = this.find(id)
    if (record === undefined || isTerminal(record.status)) return []
    const accepted: string[] = []
    for (const [key, response] of Object.entries(responses)) {
      if (!(key in record.inputRequests)) continue
      delete record.inputRequests[key]
      record.inputResponses[key] = structuredClone(response)
      accepted.push(key)
    }
    if (accepted.length > 0) {
      if (Object.keys(record.inputRequests).length === 0) record.status = 'working'
      record.lastUpdatedAt = Date.now()
    }
    return accepted
  }

  async list (owner: string, cursor: string | undefined, limit: number): Promise<TaskPage> {
    const decoded = cursor === undefined ? undefined : decodeTaskCursor(cursor)
    const after = decoded === undefined ? undefined : { createdAt: decoded[0], id: decoded[1] }
    const now = Date.now()
    const tasks: TaskRecord[] = []
    // Map order is creation order, which is createdAt order: a cursor is the last task given,
    // and a page starts after it (or after its time, when that task is gone since).
    let passed = after === undefined
    for (const record of this.tasks.values()) {
      if (!passed) {
        if (record.id === after!.id) { passed = true; continue }
        if (record.createdAt <= after!.createdAt) continue
        passed = true
      }
      if (record.owner !== owner || expired(record, now)) continue
      if (tasks.length === limit) return { tasks, nextCursor: encodeTaskCursor(tasks[tasks.length - 1]) }
      tasks.push(structuredClone(record))
    }
    return { tasks }
  }

  async delete (id: string): Promise<boolean> {
    const record = this.tasks.get(id)
    if (record === undefined) return false
    this.remove(record)
    return true
  }

  async sweep (now = Date.now()): Promise<number> {
    let removed = 0
    for (const record of this.tasks.values()) {
      if (!expired(record, now)) continue
      this.remove(record)
      removed++
    }
    return removed
  }

  async close (): Promise<void> {
    clearInterval(this.sweeper)
    this.sweeper = undefined
    this.tasks.clear()
    this.live.clear()
  }

  private find (id: string): TaskRecord | undefined {
    const record = this.tasks.get(id)
    if (record === undefined || !expired(record, Date.now())) return record
    this.remove(record)
    return undefined
  }

  private remove (record: TaskRecord): void {
    this.tasks.delete(record.id)
    if (LIVE_STATUSES.includes(record.status)) this.released(record.owner)
  }

  private released (owner: string): void {
    const live = this.live.get(owner)! - 1
    if (live === 0) this.live.delete(owner)
    else this.live.set(owner, live)
  }
}
