// The tasks/* requests of both eras, answered from the task engine. 2026-07-28 (tasks.md):
// tasks/get, tasks/update, tasks/cancel, gated on the request declaring the extension.
// 2025-11-25 (basic/utilities/tasks): tasks/get, tasks/result, tasks/list, tasks/cancel.
import type { Result } from '../../types/index.js'
import { isModernVersion, ModernErrorCode } from '../modern/era.js'
import { ErrorCode, McpError } from '../protocol/jsonrpc.js'
import { TaskCursorError } from '../state/task-store.js'
import type { TaskEngine } from '../tasks/task-engine.js'
import { META_RELATED_TASK, REQUIRED_TASKS_CAPABILITY, declaresTasks, detailedTask, legacyTask } from '../tasks/task-wire.js'
import type { HandlerContext } from './server-context.js'
import type { ResultWaiters } from './task-binding.js'
import { taskOwner } from './task-calls.js'

/** tasks/list page size unless the server's pageSize says otherwise. */
export const DEFAULT_TASK_PAGE_SIZE = 50

// tasks.md §Error Handling: unknown, expired and (with auth) foreign tasks are one error,
// so another user cannot tell which of them an id is.
function notFound (taskId: string): McpError {
  return new McpError(ErrorCode.InvalidParams, `Failed to retrieve task: Task not found (${taskId}): it is unknown, expired, or belongs to someone else`)
}

function methodNotFound (method: string): McpError {
  return new McpError(ErrorCode.MethodNotFound, `Method not found: ${method}`)
}

function isObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function taskIdOf (params: Record<string, unknown>, context: HandlerContext): string {
  // tasks.md §Error Handling: non-declaring clients get -32021 for every tasks/* request.
  if (isModernVersion(context.protocolVersion) && !declaresTasks(context.clientCapabilities)) {
    throw new McpError(ModernErrorCode.MissingRequiredClientCapability,
      `${context.method} needs the io.modelcontextprotocol/tasks extension: declare it in _meta["io.modelcontextprotocol/clientCapabilities"].extensions`,
      REQUIRED_TASKS_CAPABILITY)
  }
  if (typeof params.taskId !== 'string') throw new McpError(ErrorCode.InvalidParams, `${context.method} needs a taskId string`)
  return params.taskId
}

export class TaskMethods {
  private readonly waiters: ResultWaiters
  private readonly pageSize: number

  constructor (waiters: ResultWaiters, pageSize = DEFAULT_TASK_PAGE_SIZE) {
    this.waiters = waiters
    this.pageSize = pageSize
  }

  async get (engine: TaskEngine, params: Record<string, unknown>, context: HandlerContext): Promise<Result> {
    const taskId = taskIdOf(params, context)
    const record = await engine.get(taskId, taskOwner(context))
    if (record === undefined) throw notFound(taskId)
    return isModernVersion(context.protocolVersion) ? detailedTask(record) : legacyTask(record)
  }

  /** 2026-07-28 only: answers for the task's outstanding inputRequests; an empty acknowledgement. */
  async update (engine: TaskEngine, params: Record<string, unknown>, context: HandlerContext): Promise<Result> {
    if (!isModernVersion(context.protocolVersion)) throw methodNotFound('tasks/update')
    const taskId = taskIdOf(params, context)
    if (!isObject(params.inputResponses)) throw new McpError(ErrorCode.InvalidParams, 'tasks/update needs inputResponses: an object of input responses by key')
    const responses: Record<string, Result> = {}
    for (const [key, response] of Object.entries(params.inputResponses)) if (isObject(response)) responses[key] = response
    if (!await engine.update(taskId, taskOwner(context), responses)) throw notFound(taskId)
    return {}
  }

  /**
   * 2026-07-28: an empty acknowledgement, also for a task already finished. 2025-11-25:
   * the cancelled task, and -32602 for one already terminal (§Task Cancellation).
   */
  async cancel (engine: TaskEngine, params: Record<string, unknown>, context: HandlerContext): Promise<Result> {
    const taskId = taskIdOf(params, context)
    const outcome = await engine.cancel(taskId, taskOwner(context))
    if (outcome.task === undefined) throw notFound(taskId)
    if (isModernVersion(context.protocolVersion)) return {}
    if (!outcome.cancelled) throw new McpError(ErrorCode.InvalidParams, `Cannot cancel task: already in terminal status '${outcome.task.status}'`)
    return legacyTask(outcome.task)
  }

  /**
   * 2025-11-25 only (2026-07-28 inlines the result in tasks/get): blocks until the task is
   * terminal, then answers exactly what the tool call would have, with the related-task
   * `_meta`. While it waits, the task's requests to the client travel on this stream.
   */
  async result (engine: TaskEngine, params: Record<string, unknown>, context: HandlerContext): Promise<Result> {
    if (isModernVersion(context.protocolVersion)) throw methodNotFound('tasks/result')
    const taskId = taskIdOf(params, context)
    const owner = taskOwner(context)
    // Ownership first: only the owner's stream may carry the task's input requests.
    if (await engine.get(taskId, owner) === undefined) throw notFound(taskId)
    const unregister = this.waiters.add(taskId, context)
    let record
    try {
      record = await engine.waitForTerminal(taskId, owner, context.signal)
    } finally {
      unregister()
    }
    if (record === undefined) throw notFound(taskId)
    if (record.error !== undefined) throw new McpError(record.error.code, record.error.message, record.error.data)
    if (record.result === undefined) throw new McpError(ErrorCode.InvalidParams, `Task ${taskId} was cancelled; it has no result`)
    return { ...record.result, _meta: { ...(record.result._meta as Result | undefined), [META_RELATED_TASK]: { taskId } } }
  }

  /** 2025-11-25 only: the requester's tasks, a page at a time. */
  async list (engine: TaskEngine, params: Record<string, unknown>, context: HandlerContext): Promise<Result> {
    if (isModernVersion(context.protocolVersion)) throw methodNotFound('tasks/list')
    const cursor = params.cursor
    if (cursor !== undefined && typeof cursor !== 'string') throw new McpError(ErrorCode.InvalidParams, 'tasks/list: cursor must be a string')
    try {
      const page = await engine.list(taskOwner(context), cursor, this.pageSize)
      const result: Result = { tasks: page.tasks.map(legacyTask) }
      if (page.nextCursor !== undefined) result.nextCursor = page.nextCursor
      return result
    } catch (err) {
      if (err instanceof TaskCursorError) throw new McpError(ErrorCode.InvalidParams, err.message)
      throw err
    }
  }
}
