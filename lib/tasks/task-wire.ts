// How a stored task looks on the wire, per era. 2026-07-28 (io.modelcontextprotocol/tasks
// tasks.md §Tasks): ttlMs / pollIntervalMs, CreateTaskResult flat with resultType "task",
// DetailedTask inlining result / error / inputRequests by status. 2025-11-25 (basic/
// utilities/tasks §Data Types): ttl / pollInterval, CreateTaskResult as { task }.
import type { Result } from '../protocol/jsonrpc.js'
import type { TaskRecord } from '../state/task-store.js'

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks'
export const META_RELATED_TASK = 'io.modelcontextprotocol/related-task'

function base (record: TaskRecord): Result {
  const task: Result = { taskId: record.id, status: record.status }
  if (record.statusMessage !== undefined) task.statusMessage = record.statusMessage
  task.createdAt = new Date(record.createdAt).toISOString()
  task.lastUpdatedAt = new Date(record.lastUpdatedAt).toISOString()
  return task
}

/** 2026-07-28 Task. */
export function modernTask (record: TaskRecord): Result {
  const task = base(record)
  task.ttlMs = record.ttlMs
  if (record.pollIntervalMs !== undefined) task.pollIntervalMs = record.pollIntervalMs
  return task
}

/** 2026-07-28 DetailedTask: what tasks/get answers and notifications/tasks carries. */
export function detailedTask (record: TaskRecord): Result {
  const task = modernTask(record)
  if (record.status === 'input_required') task.inputRequests = record.inputRequests
  else if (record.status === 'completed') task.result = record.result
  else if (record.status === 'failed') task.error = record.error
  return task
}

/** 2026-07-28 CreateTaskResult: Result & Task, flat. */
export function createTaskResult (record: TaskRecord): Result {
  return { resultType: 'task', ...modernTask(record) }
}

/** 2025-11-25 Task. */
export function legacyTask (record: TaskRecord): Result {
  const task = base(record)
  task.ttl = record.ttlMs
  if (record.pollIntervalMs !== undefined) task.pollInterval = record.pollIntervalMs
  return task
}

/** The notification a task's listeners get for its era. */
export function taskNotification (record: TaskRecord, modern: boolean): { method: string, params: Result } {
  return modern
    ? { method: 'notifications/tasks', params: detailedTask(record) }
    : { method: 'notifications/tasks/status', params: legacyTask(record) }
}

/** Whether a 2026-07-28 request's capabilities list the extension. */
export function declaresTasks (capabilities: Record<string, unknown>): boolean {
  const extensions = capabilities.extensions
  return extensions !== null && typeof extensions === 'object' && (extensions as Record<string, unknown>)[TASKS_EXTENSION] !== undefined
}

/** tasks.md §Capability Negotiation: the data of the -32021 a non-declaring client gets. */
export const REQUIRED_TASKS_CAPABILITY = Object.freeze({ requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } })
