// What a handler's context does differently once its call runs as a task: the request
// that started it has been answered (CreateTaskResult), so inputs, notifications and
// server-to-client requests need another way to the client, one per era.
import type { JsonRpcNotification, McpServerHost, OutboundRequestOptions, RequestContext, Result } from '../../types/index.js'
import { ErrorCode, McpError } from '../protocol/jsonrpc.js'
import type { TaskRun } from '../tasks/task-engine.js'
import { META_RELATED_TASK } from '../tasks/task-wire.js'
import type { ClientRequestOptions } from './client-requests.js'

export interface TaskBinding {
  readonly run: TaskRun
  /** ctx.elicit / ctx.sample / ctx.listRoots while the call runs as a task. */
  input (method: string, params: Result | undefined, options: ClientRequestOptions | undefined): Promise<Result>
  notify (notification: Omit<JsonRpcNotification, 'jsonrpc'>): void
  request (method: string, params: Result | undefined, options: OutboundRequestOptions | undefined): Promise<Result>
}

/**
 * 2026-07-28 (tasks.md §Task Update Requests): an input becomes an entry of the task's
 * inputRequests, answered by tasks/update. Keys are the handler's, or method and call order,
 * unique for the task's life. Progress and log messages are not supported on tasks
 * (tasks.md §Task Status Notifications), so they are dropped.
 */
export class ModernTaskBinding implements TaskBinding {
  readonly run: TaskRun
  private calls = 0

  constructor (run: TaskRun) {
    this.run = run
  }

  input (method: string, params: Result | undefined, options: ClientRequestOptions | undefined): Promise<Result> {
    const key = options?.key ?? `${method}#${this.calls++}`
    return this.run.requestInput(key, params === undefined ? { method } : { method, params })
  }

  notify (): void {}

  request (method: string): Promise<Result> {
    return Promise.reject(new McpError(ErrorCode.InvalidRequest,
      `Cannot send ${method} from a task in protocol 2026-07-28: ask through ctx.elicit, ctx.sample or ctx.listRoots (inputRequests)`))
  }
}

/**
 * The tasks/result requests (2025-11-25) waiting on each task: their streams are how a
 * task's requests reach the client, so a request waits for one to arrive.
 */
export class ResultWaiters {
  private readonly waiting = new Map<string, Set<RequestContext>>()
  private readonly wanted = new Map<string, Set<(context: RequestContext) => void>>()

  add (taskId: string, context: RequestContext): () => void {
    let set = this.waiting.get(taskId)
    if (set === undefined) {
      set = new Set()
      this.waiting.set(taskId, set)
    }
    set.add(context)
    const wanted = this.wanted.get(taskId)
    if (wanted !== undefined) {
      this.wanted.delete(taskId)
      for (const take of wanted) take(context)
    }
    return () => {
      set.delete(context)
      if (set.size === 0) this.waiting.delete(taskId)
    }
  }

  /** Whether a tasks/result of the task is waiting on this instance now. */
  has (taskId: string): boolean {
    return this.waiting.has(taskId)
  }

  /** A waiting tasks/result of the task: one there now, or the next to come; rejects when `signal` aborts. */
  next (taskId: string, signal: AbortSignal): Promise<RequestContext> {
    const now = this.waiting.get(taskId)?.values().next().value
    if (now !== undefined) return Promise.resolve(now)
    if (signal.aborted) return Promise.reject(signal.reason)
    return new Promise((resolve, reject) => {
      let wanted = this.wanted.get(taskId)
      if (wanted === undefined) {
        wanted = new Set()
        this.wanted.set(taskId, wanted)
      }
      const take = (context: RequestContext): void => {
        signal.removeEventListener('abort', onAbort)
        resolve(context)
      }
      const onAbort = (): void => {
        wanted.delete(take)
        if (wanted.size === 0 && this.wanted.get(taskId) === wanted) this.wanted.delete(taskId)
        reject(signal.reason)
      }
      wanted.add(take)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }
}

function related (params: Result | undefined, taskId: string): Result {
  return { ...params, _meta: { ...(params?._meta as Result | undefined), [META_RELATED_TASK]: { taskId } } }
}

/**
 * 2025-11-25 (basic/utilities/tasks §Input Required Status): the task is input_required
 * while the server's request to the client is out; the request carries the related-task
 * `_meta` and travels on a tasks/result stream (the client calls tasks/result when it sees
 * input_required), waiting for one if none is open. Notifications go to the GET stream.
 */
export class LegacyTaskBinding implements TaskBinding {
  readonly run: TaskRun
  private readonly host: McpServerHost
  private readonly sessionId: string
  private readonly waiters: ResultWaiters

  constructor (run: TaskRun, host: McpServerHost, sessionId: string, waiters: ResultWaiters) {
    this.run = run
    this.host = host
    this.sessionId = sessionId
    this.waiters = waiters
  }

  async input (method: string, params: Result | undefined, options: ClientRequestOptions | undefined): Promise<Result> {
    await this.run.awaitingInput(true)
    try {
      return await this.request(method, params, options)
    } finally {
      await this.run.awaitingInput(false)
    }
  }

  notify (notification: Omit<JsonRpcNotification, 'jsonrpc'>): void {
    this.host.notify(this.sessionId, { method: notification.method, params: related(notification.params, this.run.id) })
  }

  async request (method: string, params: Result | undefined, options: OutboundRequestOptions | undefined): Promise<Result> {
    const run = this.run
    // With several instances the client's tasks/result may be open on another one, out of
    // this one's reach; its GET stream is reachable from any (basic/utilities/tasks: clients
    // SHOULD expect task messages on any SSE stream, the GET stream included).
    if (this.host.clustered === true && !this.waiters.has(run.id)) {
      return await this.host.request(this.sessionId, method, related(params, run.id), { ...options, signal: run.signal })
    }
    const waiter = await this.waiters.next(run.id, run.signal)
    return await waiter.request(method, related(params, run.id), options)
  }
}
