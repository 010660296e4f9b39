// subscriptions/listen (2026-07-28 basic/patterns/subscriptions): the one long-lived stream
// of the modern era, replacing the legacy GET stream and resources/subscribe. A POST whose
// answer is an SSE stream: an acknowledgement first, then only the notification types the
// client asked for, each tagged with the listen request's id; keep-alive comments come
// from the StreamHub heartbeat.
import type { FastifyReply } from 'fastify'
import type { AuthInfo, JsonRpcNotification } from '../../types/index.js'
import { ownerOf } from '../auth/session-owner.js'
import { FST_MCP_SHUTTING_DOWN, FST_MCP_TASKS_NOT_DECLARED } from '../errors.js'
import { REQUIRED_TASKS_CAPABILITY, declaresTasks, taskNotification } from '../tasks/task-wire.js'
import type { JsonRpcRequest, RequestId } from '../protocol/jsonrpc.js'
import type { SseStream } from '../streams/sse-stream.js'
import type { Transport } from '../transport.js'
import { META_SUBSCRIPTION_ID } from './era.js'

/** The notification types a listen request opts in to (SubscriptionFilter). */
export interface SubscriptionFilter {
  toolsListChanged?: true
  promptsListChanged?: true
  resourcesListChanged?: true
  resourceSubscriptions?: string[]
  /** io.modelcontextprotocol/tasks: notifications/tasks for these tasks (the caller's own). */
  taskIds?: string[]
}

interface Listener {
  readonly id: RequestId
  readonly filter: SubscriptionFilter
  readonly stream: SseStream
  /** Removes the task watches (taskIds), once the stream ends. */
  unwatch?: Promise<Array<() => void>>
}

const LIST_CHANGED: Readonly<Record<string, keyof SubscriptionFilter>> = {
  'notifications/tools/list_changed': 'toolsListChanged',
  'notifications/prompts/list_changed': 'promptsListChanged',
  'notifications/resources/list_changed': 'resourcesListChanged'
}

/** The filter the server agrees to honour: the flags set to true and the URI strings asked for. */
export function agreedFilter (requested: unknown): SubscriptionFilter {
  const filter: SubscriptionFilter = {}
  if (requested === null || typeof requested !== 'object') return filter
  const asked = requested as Record<string, unknown>
  if (asked.toolsListChanged === true) filter.toolsListChanged = true
  if (asked.promptsListChanged === true) filter.promptsListChanged = true
  if (asked.resourcesListChanged === true) filter.resourcesListChanged = true
  if (Array.isArray(asked.resourceSubscriptions)) {
    filter.resourceSubscriptions = asked.resourceSubscriptions.filter((uri): uri is string => typeof uri === 'string')
  }
  if (Array.isArray(asked.taskIds)) filter.taskIds = asked.taskIds.filter((id): id is string => typeof id === 'string')
  return filter
}

function wants (filter: SubscriptionFilter, notification: Omit<JsonRpcNotification, 'jsonrpc'>): boolean {
  const flag = LIST_CHANGED[notification.method]
  if (flag !== undefined) return filter[flag] === true
  if (notification.method === 'notifications/resources/updated') {
    return filter.resourceSubscriptions?.includes(notification.params?.uri as string) === true
  }
  // Anything else was never asked for, and the server MUST NOT send it.
  return false
}

function tagged (notification: Omit<JsonRpcNotification, 'jsonrpc'>, id: RequestId): JsonRpcNotification {
  const params = notification.params ?? {}
  const meta = params._meta as Record<string, unknown> | undefined
  return { jsonrpc: '2.0', method: notification.method, params: { ...params, _meta: { ...meta, [META_SUBSCRIPTION_ID]: id } } }
}

/** Every open listen stream of one plugin instance. */
export class Subscriptions {
  private readonly listeners = new Set<Listener>()

  add (listener: Listener): void {
    this.listeners.add(listener)
  }

  delete (listener: Listener): void {
    if (!this.listeners.delete(listener)) return
    void listener.unwatch?.then((unwatches) => { for (const unwatch of unwatches) unwatch() })
  }

  /** Sends `notification` to every listener that asked for its type; returns how many took it. */
  broadcast (notification: Omit<JsonRpcNotification, 'jsonrpc'>): number {
    let delivered = 0
    for (const listener of this.listeners) {
      if (wants(listener.filter, notification) && listener.stream.send(tagged(notification, listener.id))) delivered++
    }
    return delivered
  }

  /** Graceful end (shutdown): each stream gets its `complete` result, then closes. */
  closeAll (): void {
    for (const listener of [...this.listeners]) {
      listener.stream.send({
        jsonrpc: '2.0',
        id: listener.id,
        result: { resultType: 'complete', _meta: { [META_SUBSCRIPTION_ID]: listener.id } }
      })
      listener.stream.end()
      this.delete(listener)
    }
  }
}

/**
 * Opens a listen stream for `request` and acknowledges it. Task ids need the tasks
 * extension on this request (tasks.md §Task Status Notifications: else -32021), and only
 * the caller's own tasks are reported: with `auth`, another user's id stays silent.
 */
export function listen (transport: Transport, reply: FastifyReply, request: JsonRpcRequest, capabilities: Record<string, unknown>, auth: AuthInfo | undefined): FastifyReply {
  if (transport.closing) throw new FST_MCP_SHUTTING_DOWN()
  const filter = agreedFilter(request.params?.notifications)
  if (filter.taskIds !== undefined && !declaresTasks(capabilities)) {
    throw Object.assign(new FST_MCP_TASKS_NOT_DECLARED(), { data: REQUIRED_TASKS_CAPABILITY })
  }
  const stream = transport.hub.open(reply, () => transport.listeners.delete(listener))
  const listener: Listener = { id: request.id, filter, stream }
  if (filter.taskIds !== undefined && filter.taskIds.length > 0) {
    const owner = auth === undefined ? '' : ownerOf(auth)
    // A watch that cannot be set up (the signals' backend is down) costs the stream its
    // task notifications, which are optional (tasks.md): clients poll tasks/get anyway.
    listener.unwatch = Promise.all(filter.taskIds.map((taskId) => transport.tasks.watch(taskId, (task) => {
      if (task.owner === owner) stream.send(tagged(taskNotification(task, true), request.id))
    }))).catch(() => [])
  }
  transport.listeners.add(listener)
  stream.send(tagged({ method: 'notifications/subscriptions/acknowledged', params: { notifications: filter } }, request.id))
  return reply
}
