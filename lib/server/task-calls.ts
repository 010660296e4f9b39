// tools/call as a task: whether this call becomes one (the tool's taskSupport and the
// client's support, per era), and running the same handler as the task's work.
import type { McpServerHost, Result } from '../../types/index.js'
import { ownerOf } from '../auth/session-owner.js'
import { isModernVersion, ModernErrorCode } from '../modern/era.js'
import { ErrorCode, McpError } from '../protocol/jsonrpc.js'
import { isTerminal } from '../state/task-store.js'
import type { TaskEngine, TaskStartOptions } from '../tasks/task-engine.js'
import {
  REQUIRED_TASKS_CAPABILITY,
  createTaskResult,
  declaresTasks,
  legacyTask,
  taskNotification
} from '../tasks/task-wire.js'
import type { HandlerContext, ServerHandlerContext } from './server-context.js'
import { LegacyTaskBinding, ModernTaskBinding, type ResultWaiters } from './task-binding.js'
import type { TaskSupport, ToolRegistry } from './tool-registry.js'

/** A task is kept an hour from its creation unless createMcpServer says otherwise. */
export const DEFAULT_TASK_TTL_MS = 3_600_000
/** The polling interval suggested to clients unless createMcpServer says otherwise. */
export const DEFAULT_TASK_POLL_INTERVAL_MS = 1000

export interface TaskDefaults {
  /** Milliseconds a task is kept from its creation (a 2025-11-25 client may ask for less). Default 3600000. */
  ttlMs?: number
  /** Milliseconds clients are asked to wait between tasks/get polls. Default 1000. */
  pollIntervalMs?: number
}

/**
 * Who a task belongs to: the auth identity when there is one (2025-11-25 tasks §Task
 * Isolation: bind tasks to the authorization context), else the legacy session; a modern
 * request without auth has neither, and its unguessable id is the only key.
 */
export function taskOwner (context: HandlerContext): string {
  if (context.authInfo !== undefined) return ownerOf(context.authInfo)
  return context.session === undefined ? '' : `session:${context.session.id}`
}

function positiveInteger (name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`createMcpServer: tasks.${name} must be a whole number of at least 1, got ${String(value)}`)
  return value
}

export class TaskCalls {
  private readonly tools: ToolRegistry
  private readonly waiters: ResultWaiters
  readonly ttlMs: number
  readonly pollIntervalMs: number

  constructor (tools: ToolRegistry, waiters: ResultWaiters, defaults: TaskDefaults = {}) {
    this.tools = tools
    this.waiters = waiters
    this.ttlMs = positiveInteger('ttlMs', defaults.ttlMs, DEFAULT_TASK_TTL_MS)
    this.pollIntervalMs = positiveInteger('pollIntervalMs', defaults.pollIntervalMs, DEFAULT_TASK_POLL_INTERVAL_MS)
  }

  /** Answers tools/call: with a CreateTaskResult when the call runs as a task, else as usual. */
  call (params: Record<string, unknown>, context: ServerHandlerContext, host: McpServerHost | null): Result | Promise<Result> {
    const mode = this.tools.taskMode(params.name)
    if (mode === undefined) return this.tools.call(params, context)
    const modern = isModernVersion(context.protocolVersion)
    const asTask = modern ? modernWants(mode.support, params, context) : legacyWants(mode.support, params)
    const engine = host?.tasks
    if (!asTask || engine === undefined) return this.tools.call(params, context)
    const options: TaskStartOptions = {
      owner: taskOwner(context),
      method: 'tools/call',
      protocolVersion: context.protocolVersion,
      ttlMs: modern ? this.ttlMs : this.legacyTtl(params.task as Record<string, unknown>),
      pollIntervalMs: this.pollIntervalMs,
      toolErrorFails: !modern
    }
    if (modern) return mode.start === 'handler' ? this.fromHandler(params, context, engine, options) : this.startModern(params, context, engine, options)
    return this.startLegacy(params, context, engine, options, host!)
  }

  private startModern (params: Record<string, unknown>, context: ServerHandlerContext, engine: TaskEngine, options: TaskStartOptions): Promise<Result> {
    return engine.start(options, (run) => {
      context.bindTask(new ModernTaskBinding(run))
      return Promise.resolve().then(() => this.tools.call(params, context))
    }, context.logger).then(createTaskResult)
  }

  /**
   * taskStart 'handler': the handler runs as an ordinary request (input_required rounds
   * included) until it calls ctx.startTask(); then the client gets the CreateTaskResult and
   * the rest of the handler is the task. A handler that returns first answers directly.
   */
  private fromHandler (params: Record<string, unknown>, context: ServerHandlerContext, engine: TaskEngine, options: TaskStartOptions): Promise<Result> {
    return new Promise((resolve, reject) => {
      let promoted = false
      let starting: Promise<void> | undefined
      const outcome = Promise.resolve().then(() => this.tools.call(params, context))
      context.promote = () => {
        starting ??= engine.start(options, (run) => {
          context.bindTask(new ModernTaskBinding(run))
          return outcome
        }, context.logger).then((record) => {
          promoted = true
          resolve(createTaskResult(record))
        }, (err: unknown) => {
          starting = undefined
          throw err
        })
        return starting
      }
      outcome.then((result) => { if (!promoted) resolve(result) }, (err: unknown) => { if (!promoted) reject(err) })
    })
  }

  private async startLegacy (params: Record<string, unknown>, context: ServerHandlerContext, engine: TaskEngine, options: TaskStartOptions, host: McpServerHost): Promise<Result> {
    const sessionId = context.session!.id
    options.sessionId = sessionId
    const record = await engine.start(options, (run) => {
      context.bindTask(new LegacyTaskBinding(run, host, sessionId, this.waiters))
      return Promise.resolve().then(() => this.tools.call(params, context))
    }, context.logger)
    // 2025-11-25 §Task Status Notification (MAY): status changes go to the session's GET stream.
    const unwatch = await engine.watch(record.id, (task) => {
      host.notify(sessionId, taskNotification(task, false))
      if (isTerminal(task.status)) unwatch()
    })
    return { task: legacyTask(record) }
  }

  /** 2025-11-25 §Task Parameters: the ttl a client asks for, never beyond the server's. */
  private legacyTtl (task: Record<string, unknown>): number {
    const ttl = task.ttl
    return typeof ttl === 'number' && Number.isSafeInteger(ttl) && ttl > 0 ? Math.min(ttl, this.ttlMs) : this.ttlMs
  }
}

/**
 * tasks.md §Capability Negotiation: a task only for a request whose `_meta` capabilities
 * list the extension, whatever the connection declared before; a tool that needs a task,
 * called without it, is -32021 before its handler runs. A 2025-11-25 `task` param is
 * ignored here (conformance tasks-dispatch-and-envelope).
 */
function modernWants (support: TaskSupport, params: Record<string, unknown>, context: HandlerContext): boolean {
  if (support === 'forbidden') return false
  if (declaresTasks(context.clientCapabilities)) return true
  if (support === 'optional') return false
  throw new McpError(ModernErrorCode.MissingRequiredClientCapability,
    `Tool ${String(params.name)} runs only as a task: declare the io.modelcontextprotocol/tasks extension in _meta["io.modelcontextprotocol/clientCapabilities"].extensions`,
    REQUIRED_TASKS_CAPABILITY)
}

/**
 * 2025-11-25 tools §Tool-Level Negotiation: the client asks with `params.task`; asking for
 * a tool that forbids it, or not asking for one that requires it, is -32601.
 */
function legacyWants (support: TaskSupport, params: Record<string, unknown>): boolean {
  const task = params.task
  const asked = task !== null && typeof task === 'object' && !Array.isArray(task)
  if (support === 'forbidden' && asked) throw new McpError(ErrorCode.MethodNotFound, `Tool ${String(params.name)} does not support task-augmented calls; call it without params.task`)
  if (support === 'required' && !asked) throw new McpError(ErrorCode.MethodNotFound, `Tool ${String(params.name)} must be called as a task: add params.task (e.g. { "ttl": 60000 })`)
  return asked && support !== 'forbidden'
}
