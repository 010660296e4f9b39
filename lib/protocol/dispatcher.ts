import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyBaseLogger } from 'fastify'
import type {
  AuthInfo,
  LoggingLevel,
  McpServerContract,
  OutboundRequestOptions,
  RequestContext,
  Result
} from '../../types/index.js'
import type { MessageSink, Session } from '../sessions/session.js'
import { Cancellation } from './cancellation.js'
import type { OutboundChannel } from './outbound-channel.js'
import { SessionRequestContext } from './session-request-context.js'
import { requestLogger } from './request-logger.js'
import { ClientNotificationContext } from './notification-context.js'
import {
  ErrorCode,
  McpError,
  errorResponse,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type RequestId
} from './jsonrpc.js'

// The signal of a request that only a timeout or the session's end can stop.
const NEVER_ABORTED = new AbortController().signal

/** A value now, or later: the dispatcher answers synchronous handlers without a promise. */
export type MaybePromise<T> = T | Promise<T>

/** What a modern-era request brings instead of a session (see runStateless). */
export interface StatelessScope {
  protocolVersion: string
  clientCapabilities: Record<string, unknown>
  logLevel: LoggingLevel | undefined
  headers: IncomingHttpHeaders
  /** With the `auth` option: the request's verified token. */
  authInfo?: AuthInfo | undefined
  /** Called once when the request finished, however it ended. */
  done: () => void
}

export interface DispatcherOptions {
  server: McpServerContract
  requestTimeout: number
  /** Most server-to-client requests waiting per session. */
  maxPending: number
  /** Called whenever a client request finished, however it ended. */
  settled: () => void
  /** Where a client answer or cancellation goes that nothing in this process waits for. */
  unmatched: UnmatchedRouting
}

/** With a shared state, another instance may be running the request or waiting for the answer. */
export interface UnmatchedRouting {
  response (session: Session, response: JsonRpcResponse): void
  cancel (session: Session, requestId: RequestId, reason: string): void
}

/**
 * JSON-RPC correlation for one plugin instance. Client requests go to the server with a
 * context; client responses settle the server's own pending requests; cancellations abort
 * the matching handler. All per-session state lives on the Session.
 */
export class Dispatcher {
  private readonly server: McpServerContract
  private readonly requestTimeout: number
  private readonly maxPending: number
  private readonly settled: () => void
  private readonly unmatched: UnmatchedRouting

  constructor (options: DispatcherOptions) {
    this.server = options.server
    this.requestTimeout = options.requestTimeout
    this.maxPending = options.maxPending
    this.settled = options.settled
    this.unmatched = options.unmatched
    this.outbound = this.outbound.bind(this)
  }

  /** Runs one client request to completion and answers it on `channel`. */
  async request (session: Session, request: JsonRpcRequest, channel: OutboundChannel, log: FastifyBaseLogger, authInfo?: AuthInfo, headers?: IncomingHttpHeaders): Promise<void> {
    const response = await this.run(session, request, channel, log, authInfo, headers)
    if (response === null) channel.abandon()
    else channel.respond(response)
  }

  /**
   * Runs one client request and returns its response without sending it, or null when the
   * request was cancelled (2025-11-25 cancellation: a cancelled request gets no response).
   * A handler that answered synchronously gets its response back synchronously.
   * `authInfo` is the HTTP request's verified token (the `auth` option); undefined without
   * it, so the hot path builds nothing for authorization it does not use. `headers` are the
   * HTTP request's (a reference, not a copy), for handlers that forward some of them.
   */
  run (session: Session, request: JsonRpcRequest, channel: OutboundChannel, log: FastifyBaseLogger, authInfo?: AuthInfo, headers?: IncomingHttpHeaders): MaybePromise<JsonRpcResponse | null> {
    const cancellation = new Cancellation()
    const context = new SessionRequestContext(session, request, cancellation, channel, log, this.outbound, authInfo, headers)
    const answer = this.execute(request, context, cancellation, session)
    // Only a request still running can be cancelled, counted or aborted by the session's
    // end: one answered synchronously never enters the in-flight map, whose growing and
    // shrinking allocates on every request.
    if (answer instanceof Promise) session.track(request.id, cancellation)
    return answer
  }

  /**
   * Runs one modern-era (2026-07-28) request: no session, the client's version and
   * capabilities come from the request's `_meta`, `controller` aborts it (the client closed
   * its stream, or shutdown), and server-to-client requests are refused: in this revision
   * they travel inside an input_required result instead (T-0728 §Receiving Messages).
   */
  runStateless (request: JsonRpcRequest, scope: StatelessScope, cancellation: Cancellation, channel: OutboundChannel, log: FastifyBaseLogger): Promise<JsonRpcResponse | null> {
    const meta = request.params?._meta as Record<string, unknown> | undefined
    const token = meta?.progressToken
    let logger: FastifyBaseLogger | null = null
    const context: RequestContext = {
      requestId: request.id,
      method: request.method,
      session: undefined,
      protocolVersion: scope.protocolVersion,
      clientCapabilities: scope.clientCapabilities,
      logLevel: scope.logLevel,
      httpHeaders: scope.headers,
      get signal () { return cancellation.signal },
      progressToken: typeof token === 'string' || typeof token === 'number' ? token : undefined,
      // Made on first use (see requestLogger): most requests log nothing.
      get logger () { return logger ?? (logger = requestLogger(log, undefined, request.id, request.method)) },
      authInfo: scope.authInfo,
      notify: (notification) => {
        if (!cancellation.aborted) channel.send({ jsonrpc: '2.0', ...notification })
      },
      request: (method) => Promise.reject(new McpError(ErrorCode.InvalidRequest,
        `Cannot send ${method}: protocol version ${scope.protocolVersion} has no server-to-client requests; return an input_required result`)),
      closeStream: () => false
    }
    return Promise.resolve(this.execute(request, context, cancellation, scope.done))
  }

  /**
   * Runs the handler and settles with its response: synchronously when the handler
   * answered synchronously, else with one promise, not a chain of async frames (this is the
   * hot path). A handler that ignores its signal must not hold its POST (or app.close())
   * open, so once the request is cancelled we stop waiting: it gets no response anyway.
   * `owner` is the session whose in-flight entry ends with the request, or the callback a
   * stateless request ends with.
   */
  private execute (request: JsonRpcRequest, context: RequestContext, cancellation: Cancellation, owner: Session | (() => void)): MaybePromise<JsonRpcResponse | null> {
    const id = request.id
    let pending: Result | Promise<Result>
    try {
      pending = this.server.handleRequest(request, context)
    } catch (err) {
      return this.finish(id, cancellation, owner, toErrorResponse(id, err, context.logger))
    }
    if (!(pending instanceof Promise)) {
      // A shared record change the handler made (log level, subscriptions) is saved before
      // the client hears the answer; never the case in memory.
      if (typeof owner !== 'function' && owner.saving !== null) {
        const result = pending
        return owner.saving.then(() => this.finish(id, cancellation, owner, { jsonrpc: '2.0', id, result }))
      }
      return this.finish(id, cancellation, owner, { jsonrpc: '2.0', id, result: pending })
    }
    return new Promise((resolve) => {
      // The handler may settle after an abort already ended the request: count it once.
      let finished = false
      const settle = (response: JsonRpcResponse | null): void => {
        if (finished) return
        finished = true
        const saving = typeof owner === 'function' ? null : owner.saving
        if (saving === null) resolve(this.finish(id, cancellation, owner, response))
        else void saving.then(() => resolve(this.finish(id, cancellation, owner, response)))
      }
      cancellation.onAbort(() => settle(null))
      pending.then(
        (result) => settle({ jsonrpc: '2.0', id, result }),
        (err: unknown) => settle(toErrorResponse(id, err, context.logger))
      )
    })
  }

  private finish (id: RequestId, cancellation: Cancellation, owner: Session | (() => void), response: JsonRpcResponse | null): JsonRpcResponse | null {
    cancellation.onAbort(null)
    if (typeof owner === 'function') owner()
    else if (owner.inflight.get(id) === cancellation) owner.inflight.delete(id)
    this.settled()
    return cancellation.aborted ? null : response
  }

  notification (session: Session | undefined, notification: JsonRpcNotification, log: FastifyBaseLogger, authInfo?: AuthInfo): void {
    if (notification.method === 'notifications/cancelled') {
      const requestId = notification.params?.requestId as RequestId | undefined
      if (session !== undefined && requestId !== undefined) {
        const reason = String(notification.params?.reason ?? 'Cancelled by the client')
        // Not running here: it may run on another instance (an unknown id anywhere is the
        // race the spec allows for: the response already went out).
        if (!this.cancel(session, requestId, reason)) this.unmatched.cancel(session, requestId, reason)
      }
      return
    }
    const handle = this.server.handleNotification
    if (handle === undefined) return
    const context = new ClientNotificationContext(session, notification.method, log, authInfo)
    try {
      const done = handle.call(this.server, notification, context)
      if (done !== undefined) done.catch((err: unknown) => context.logger.error({ err }, 'MCP notification handler failed'))
    } catch (err) {
      context.logger.error({ err }, 'MCP notification handler failed')
    }
  }

  /** Aborts a client request running here; false when it is not running here. */
  cancel (session: Session, requestId: RequestId, reason: string): boolean {
    const running = session.inflight.get(requestId)
    if (running === undefined) return false
    running.abort(new McpError(ErrorCode.ConnectionClosed, reason))
    return true
  }

  /**
   * Settles the server-to-client request the client answered. One that nothing here waits
   * for goes to `unmatched` (another instance may wait for it) unless `local` says the
   * answer already came from there; unknown ids are ignored.
   */
  response (session: Session, response: JsonRpcResponse, local = false): void {
    const id = response.id
    const pending = session.pending.get(id as RequestId)
    if (pending === undefined) {
      if (!local && typeof id === 'string') this.unmatched.response(session, response)
      return
    }
    if ('result' in response) pending.resolve(response.result)
    else pending.reject(new McpError(response.error.code, response.error.message, response.error.data))
  }

  /**
   * A server-to-client request unrelated to any client request, on the session's standalone
   * stream (2025-11-25 transports §Listening for Messages from the Server: the server MAY
   * send requests there). The session's end settles it (Session.close).
   */
  requestOnStandalone (session: Session, method: string, params: Result | undefined, options: OutboundRequestOptions | undefined): Promise<Result> {
    // Looked up at send time: a reconnecting client may have replaced the GET stream.
    const standalone: MessageSink = { send: (message) => session.standalone !== null && session.standalone.send(message) }
    return this.outbound(session, standalone, options?.signal ?? NEVER_ABORTED, method, params, options)
  }

  private outbound (session: Session, channel: MessageSink, signal: AbortSignal, method: string, params: Result | undefined, options: OutboundRequestOptions | undefined): Promise<Result> {
    if (signal.aborted) return Promise.reject(signal.reason)
    if (session.pending.size >= this.maxPending) {
      return Promise.reject(new McpError(ErrorCode.ConnectionClosed, `Too many requests waiting for the client (maxPendingPerSession is ${this.maxPending})`))
    }
    const id = session.outboundId()
    const timeout = options?.timeout ?? this.requestTimeout
    return new Promise<Result>((resolve, reject) => {
      const settle = (): void => {
        session.pending.delete(id)
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
      }
      const cancel = (reason: string): void => {
        // 2025-11-25 lifecycle §Timeouts: a request given up on is cancelled explicitly.
        channel.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } })
      }
      const onAbort = (): void => {
        settle()
        cancel('The originating request was cancelled')
        reject(signal.reason)
      }
      const timer = setTimeout(() => {
        settle()
        cancel(`Timed out after ${timeout} ms`)
        reject(new McpError(ErrorCode.RequestTimeout, `Request ${method} timed out after ${timeout} ms`))
      }, timeout)
      session.pending.set(id, {
        resolve: (result) => { settle(); resolve(result) },
        reject: (error) => { settle(); reject(error) },
        timer
      })
      signal.addEventListener('abort', onAbort, { once: true })
      const message = params === undefined
        ? { jsonrpc: '2.0' as const, id, method }
        : { jsonrpc: '2.0' as const, id, method, params }
      if (!channel.send(message)) {
        settle()
        reject(new McpError(ErrorCode.ConnectionClosed, `Cannot send ${method}: the client is not connected to the stream it would travel on`))
      }
    })
  }
}

export function toErrorResponse (id: RequestId | undefined, err: unknown, log: FastifyBaseLogger): JsonRpcResponse {
  if (err instanceof McpError) return errorResponse(id, err.code, err.message, err.data)
  // Internals stay in the log; the client learns only that the server failed.
  log.error({ err }, 'MCP request handler failed')
  return errorResponse(id, ErrorCode.InternalError, 'Internal error')
}
