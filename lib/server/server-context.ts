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
}

/**
 * One handler context per request. A class with prototype methods rather than an object of
 * closures: every request pays for one small allocation, whether or not it logs or samples.
 */
class ServerHandlerContext implements HandlerContext {
  readonly requestId: RequestId
  readonly method: string
  readonly session: McpSessionInfo | undefined
  readonly protocolVersion: string
  readonly clientCapabilities: Record<string, unknown>
  readonly progressToken: string | number | undefined
  readonly logger: FastifyBaseLogger
  private readonly base: RequestContext
  private readonly round: InputRound | undefined
  /** 2026-07-28 or later: no session, MRTR instead of server-to-client requests. */
  private readonly modern: boolean
  private lastProgress = -Infinity

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
    this.logger = base.logger
  }

  // A getter, not a copy: the transport makes the AbortSignal only when someone asks.
  get signal (): AbortSignal {
    return this.base.signal
  }

  // Getters too: a copy per request would cost every handler that never reads them.
  get httpHeaders (): IncomingHttpHeaders | undefined {
    return this.base.httpHeaders
  }

  get authInfo (): AuthInfo | undefined {
    return this.base.authInfo
  }

  notify (notification: Omit<JsonRpcNotification, 'jsonrpc'>): void {
    this.base.notify(notification)
  }

  request (method: string, params?: Result, options?: OutboundRequestOptions): Promise<Result> {
    return this.base.request(method, params, options)
  }

  closeStream (): boolean {
    return this.base.closeStream()
  }

  progress (progress: number, total?: number, message?: string): void {
    const token = this.progressToken
    // progress MUST increase; a repeat or step back is dropped rather than sent.
    if (token === undefined || progress <= this.lastProgress) return
    this.lastProgress = progress
    const params: Record<string, unknown> = { progressToken: token, progress }
    if (total !== undefined) params.total = total
    if (message !== undefined) params.message = message
    this.base.notify({ method: 'notifications/progress', params })
  }

  log (level: LoggingLevel, data: unknown, logger?: string): void {
    // Modern era: the request's own _meta logLevel, and no logs without one
    // (conformance sep-2575-server-no-log-without-loglevel).
    const threshold = this.modern ? this.base.logLevel : this.session?.logLevel
    if (this.modern && threshold === undefined) return
    if (threshold !== undefined && rank.get(level)! < rank.get(threshold)!) return
    const params: Record<string, unknown> = { level, data }
    if (logger !== undefined) params.logger = logger
    this.base.notify({ method: 'notifications/message', params })
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

export function handlerContext (context: RequestContext, round?: InputRound): HandlerContext {
  return new ServerHandlerContext(context, round)
}
