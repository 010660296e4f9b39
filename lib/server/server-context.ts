import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyBaseLogger } from 'fastify'
import type {
  AuthInfo,
  JsonRpcNotification,
  LoggingLevel,
  McpSessionInfo,
  OutboundRequestOptions,
  RequestContext,
  RequestId,
  Result
} from '../../types/index.js'
import {
  checkCreateMessageResult,
  checkElicitResult,
  checkListRootsResult,
  elicitationCapabilities,
  requireClientCapability,
  requireModernCapabilities,
  samplingCapabilities,
  type ClientRequestOptions,
  type CreateMessageParams,
  type CreateMessageResult,
  type ElicitParams,
  type ElicitResult,
  type ListRootsResult
} from './client-requests.js'
import { InputRequired, type InputRound } from './input-round.js'
import type { TaskBinding } from './task-binding.js'
import { isModernVersion } from '../modern/era.js'
import { ErrorCode, McpError } from '../protocol/jsonrpc.js'

// RFC 5424 severities, least to most severe (2025-11-25 server/utilities/logging).
export const LOG_LEVELS: readonly LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']
const rank = new Map(LOG_LEVELS.map((level, i) => [level, i]))

export function isLoggingLevel (value: unknown): value is LoggingLevel {
  return typeof value === 'string' && rank.has(value as LoggingLevel)
}

/** What a tool, resource or prompt handler gets: the request context plus MCP helpers. */
export interface HandlerContext extends RequestContext {
  /**
   * Reports progress on this request's stream. Does nothing when the client sent no
   * progressToken (2025-11-25 progress: notifications only for requests that asked).
   */
  progress (progress: number, total?: number, message?: string): void
  /** Sends a log message on this request's stream, filtered by the level the session set. */
  log (level: LoggingLevel, data: unknown, logger?: string): void
  /** Asks the client's LLM for a completion (sampling/createMessage); needs the client's sampling capability. */
  sample (params: CreateMessageParams, options?: ClientRequestOptions): Promise<CreateMessageResult>
  /** Asks the user for input (elicitation/create); needs the client's elicitation capability. */
  elicit (params: ElicitParams, options?: ClientRequestOptions): Promise<ElicitResult>
  /** Asks the client for its filesystem roots (roots/list); needs the client's roots capability. */
  listRoots (options?: ClientRequestOptions): Promise<ListRootsResult>
  /** The task this call runs as (io.modelcontextprotocol/tasks), or undefined for a plain request. */
  readonly taskId: string | undefined
  /** Sets the task's statusMessage (shown by tasks/get and status notifications); does nothing outside a task. */
  setStatusMessage (message: string): Promise<void>
  /**
   * For a tool registered with `taskStart: 'handler'`: from here on the call runs as a task.
   * The client gets its CreateTaskResult once the task is stored; what the handler asked
   * before (elicit, sample, listRoots) was an ordinary input_required round. Does nothing
   * when the call cannot become a task (the client did not declare the extension, or the
   * tool may not run as one) or already is one.
   */
  startTask (): Promise<void>
}

/**
 * One handler context per request. A class with prototype methods rather than an object of
 * closures: every request pays for one small allocation, whether or not it logs or samples.
 */
export class ServerHandlerContext implements HandlerContext {
  readonly requestId: RequestId
  readonly method: string
  readonly session: McpSessionInfo | undefined
  readonly protocolVersion: string
  readonly clientCapabilities: Record<string, unknown>
  readonly progressToken: string | number | undefined
  private readonly base: RequestContext
  private readonly round: InputRound | undefined
  /** 2026-07-28 or later: no session, MRTR instead of server-to-client requests. */
  private readonly modern: boolean
  private lastProgress = -Infinity
  /** Set once the call runs as a task: inputs, notifications and the signal go through it. */
  private task: TaskBinding | undefined
  /** Set by the server for a `taskStart: 'handler'` call that may still become a task. */
  promote: (() => Promise<void>) | undefined

  constructor (base: RequestContext, round: InputRound | undefined) {
    this.base = base
    this.round = round
    this.modern = isModernVersion(base.protocolVersion)
    this.requestId = base.requestId
    this.method = base.method
    this.session = base.session
    this.protocolVersion = base.protocolVersion
    this.clientCapabilities = base.clientCapabilities
    this.progressToken = base.progressToken
  }

  // A getter as well: the transport makes the request's child logger on first use only.
  get logger (): FastifyBaseLogger {
    return this.base.logger
  }

  // A getter, not a copy: the transport makes the AbortSignal only when someone asks.
  get signal (): AbortSignal {
    return this.task?.run.signal ?? this.base.signal
  }

  get taskId (): string | undefined {
    return this.task?.run.id
  }

  /** From now on this context serves a task. */
  bindTask (binding: TaskBinding): void {
    this.task = binding
  }

  async setStatusMessage (message: string): Promise<void> {
    await this.task?.run.setStatusMessage(message)
  }

  async startTask (): Promise<void> {
    if (this.task === undefined && this.promote !== undefined) await this.promote()
  }

  // Getters too: a copy per request would cost every handler that never reads them.
  get httpHeaders (): IncomingHttpHeaders | undefined {
    return this.base.httpHeaders
  }

  get authInfo (): AuthInfo | undefined {
    return this.base.authInfo
  }

  notify (notification: Omit<JsonRpcNotification, 'jsonrpc'>): void {
    // A task outlives its request's stream: its binding knows where (if anywhere) to send.
    if (this.task !== undefined) this.task.notify(notification)
    else this.base.notify(notification)
  }

  request (method: string, params?: Result, options?: OutboundRequestOptions): Promise<Result> {
    return this.task !== undefined ? this.task.request(method, params, options) : this.base.request(method, params, options)
  }

  closeStream (): boolean {
    return this.task === undefined && this.base.closeStream()
  }

  progress (progress: number, total?: number, message?: string): void {
    const token = this.progressToken
    // progress MUST increase; a repeat or step back is dropped rather than sent.
    if (token === undefined || progress <= this.lastProgress) return
    this.lastProgress = progress
    const params: Record<string, unknown> = { progressToken: token, progress }
    if (total !== undefined) params.total = total
    if (message !== undefined) params.message = message
    this.notify({ method: 'notifications/progress', params })
  }

  log (level: LoggingLevel, data: unknown, logger?: string): void {
    // Modern era: the request's own _meta logLevel, and no logs without one
    // (conformance sep-2575-server-no-log-without-loglevel).
    const threshold = this.modern ? this.base.logLevel : this.session?.logLevel
    if (this.modern && threshold === undefined) return
    if (threshold !== undefined && rank.get(level)! < rank.get(threshold)!) return
    const params: Record<string, unknown> = { level, data }
    if (logger !== undefined) params.logger = logger
    this.notify({ method: 'notifications/message', params })
  }

  async sample (params: CreateMessageParams, options?: ClientRequestOptions): Promise<CreateMessageResult> {
    this.require(samplingCapabilities(params), 'sampling/createMessage')
    return checkCreateMessageResult(await this.input('sampling/createMessage', params, options))
  }

  async elicit (params: ElicitParams, options?: ClientRequestOptions): Promise<ElicitResult> {
    this.require(elicitationCapabilities(params), 'elicitation/create')
    return checkElicitResult(await this.input('elicitation/create', params, options))
  }

  async listRoots (options?: ClientRequestOptions): Promise<ListRootsResult> {
    this.require([['roots']], 'roots/list')
    return checkListRootsResult(await this.input('roots/list', undefined, options))
  }

  /**
   * Legacy era: a server-to-client request on this request's stream. Modern era: the
   * answer the client sent in this round, or input_required (see InputRound).
   */
  private async input (method: string, params: Result | undefined, options: ClientRequestOptions | undefined): Promise<Result> {
    if (this.task !== undefined) return this.task.input(method, params, options)
    if (!this.modern) return this.base.request(method, params, options)
    const round = this.round
    if (round === undefined) {
      throw new McpError(ErrorCode.InvalidRequest,
        `${this.method} cannot ask the client for ${method}: in protocol ${this.protocolVersion} only tools/call, prompts/get and resources/read may return input_required`)
    }
    const answer = round.answer(options?.key ?? round.nextKey(method), method, params)
    if (answer === undefined) throw new InputRequired()
    return answer
  }

  private require (paths: string[][], method: string): void {
    if (this.modern) requireModernCapabilities(this.clientCapabilities, paths, method)
    else for (const path of paths) requireClientCapability(this.clientCapabilities, path, method)
  }
}

export function handlerContext (context: RequestContext, round?: InputRound): ServerHandlerContext {
  return new ServerHandlerContext(context, round)
}
