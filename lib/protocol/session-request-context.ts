import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyBaseLogger } from 'fastify'
import type { AuthInfo, JsonRpcNotification, OutboundRequestOptions, RequestContext, Result } from '../../types/index.js'
import type { Session } from '../sessions/session.js'
import type { Cancellation } from './cancellation.js'
import type { JsonRpcRequest, RequestId } from './jsonrpc.js'
import type { OutboundChannel } from './outbound-channel.js'
import { requestLogger } from './request-logger.js'

/** Sends a server-to-client request on a channel (the dispatcher's correlation). */
export type OutboundSender = (session: Session, channel: OutboundChannel, signal: AbortSignal, method: string,
  params: Result | undefined, options: OutboundRequestOptions | undefined) => Promise<Result>

/**
 * The context of one request in a session. A class with prototype methods, not an object
 * of closures: every request allocates one small object, whatever its handler uses.
 */
export class SessionRequestContext implements RequestContext {
  readonly requestId: RequestId
  readonly method: string
  readonly session: Session
  readonly protocolVersion: string
  readonly clientCapabilities: Record<string, unknown>
  readonly progressToken: string | number | undefined
  readonly authInfo: AuthInfo | undefined
  private readonly log: FastifyBaseLogger
  private child: FastifyBaseLogger | null = null
  readonly httpHeaders: IncomingHttpHeaders | undefined
  private readonly cancellation: Cancellation
  private readonly channel: OutboundChannel
  private readonly sender: OutboundSender

  constructor (session: Session, request: JsonRpcRequest, cancellation: Cancellation, channel: OutboundChannel, log: FastifyBaseLogger, sender: OutboundSender, authInfo: AuthInfo | undefined, headers: IncomingHttpHeaders | undefined) {
    this.requestId = request.id
    this.method = request.method
    this.session = session
    this.protocolVersion = session.protocolVersion
    this.clientCapabilities = session.clientCapabilities
    const token = (request.params?._meta as Record<string, unknown> | undefined)?.progressToken
    this.progressToken = typeof token === 'string' || typeof token === 'number' ? token : undefined
    this.log = log
    this.authInfo = authInfo
    this.httpHeaders = headers
    this.cancellation = cancellation
    this.channel = channel
    this.sender = sender
  }

  /** The request's logger (see requestLogger), made on first use. */
  get logger (): FastifyBaseLogger {
    if (this.child === null) this.child = requestLogger(this.log, this.session.id, this.requestId, this.method)
    return this.child
  }

  get signal (): AbortSignal {
    return this.cancellation.signal
  }

  notify (notification: Omit<JsonRpcNotification, 'jsonrpc'>): void {
    // 2025-11-25 progress §Behavior Requirements: nothing after the request completed.
    if (!this.cancellation.aborted) this.channel.send({ jsonrpc: '2.0', ...notification })
  }

  request (method: string, params?: Result, options?: OutboundRequestOptions): Promise<Result> {
    return this.sender(this.session, this.channel, this.cancellation.signal, method, params, options)
  }

  closeStream (): boolean {
    return this.channel.closeConnection?.() ?? false
  }
}
