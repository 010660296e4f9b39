// Type-only imports: nothing of the SDK is loaded at run time by this module.
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import type { AuthInfo as SdkAuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { AuthInfo, McpServerHost, RequestContext } from '../../types/index.js'
import {
  ErrorCode,
  McpError,
  type JsonRpcErrorObject,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type RequestId,
  type Result
} from '../protocol/jsonrpc.js'

/** A client request the SDK server is working on, and how to answer the transport. */
interface InflightRequest {
  context: RequestContext
  resolve: (result: Result) => void
  reject: (error: Error) => void
}

/**
 * The verified token as SDK handlers expect `extra.authInfo`: the SDK types `resource` as a
 * URL. The bearer guard already parsed it, so it parses here.
 */
function sdkAuthInfo (info: AuthInfo): SdkAuthInfo {
  const { resource, ...rest } = info
  return resource === undefined ? rest : { ...rest, resource: new URL(resource) }
}

function errorObject (err: unknown): JsonRpcErrorObject {
  if (err instanceof McpError) {
    return err.data === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, data: err.data }
  }
  return { code: ErrorCode.InternalError, message: err instanceof Error ? err.message : String(err) }
}

/**
 * The SDK's `Transport` contract for one session, wired to our transport instead of a
 * socket. The SDK server sees an ordinary connection; every message it sends is routed by
 * its related request id (2025-11-25 transports §Multiple Connections: a message goes on the
 * stream of the request it relates to, or on the session's GET stream when it relates to none).
 */
export class SdkSessionTransport implements Transport {
  readonly sessionId: string | undefined
  onmessage?: Transport['onmessage']
  onclose?: () => void
  onerror?: (error: Error) => void
  closed = false
  private readonly host: () => McpServerHost | null
  private readonly inflight = new Map<RequestId, InflightRequest>()
  // Ids of the SDK's own requests to the client that still wait for an answer.
  private readonly outbound = new Set<RequestId>()

  constructor (sessionId: string | undefined, host: () => McpServerHost | null) {
    this.sessionId = sessionId
    this.host = host
  }

  async start (): Promise<void> {
    // Nothing to open: the HTTP side already exists.
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    const reason = new McpError(ErrorCode.ConnectionClosed, 'The SDK server closed its connection')
    for (const request of this.inflight.values()) request.reject(reason)
    this.inflight.clear()
    this.outbound.clear()
    this.onclose?.()
  }

  /** Hands a client request to the SDK server; settles with the response the SDK sends back. */
  request (request: JsonRpcRequest, context: RequestContext): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const id = request.id
      if (this.closed) return reject(new McpError(ErrorCode.ConnectionClosed, 'The SDK server for this session was closed'))
      if (this.inflight.has(id)) return reject(new McpError(ErrorCode.InvalidRequest, `Request id ${JSON.stringify(id)} is already in use in this session`))
      const signal = context.signal
      if (signal.aborted) return reject(signal.reason)
      const done = (): void => {
        this.inflight.delete(id)
        signal.removeEventListener('abort', onAbort)
      }
      // The transport handles notifications/cancelled itself and aborts the signal; the SDK
      // learns of it the way it would from a socket, so its handler's signal aborts too.
      const onAbort = (): void => {
        done()
        const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason)
        this.receive({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } })
        reject(signal.reason)
      }
      this.inflight.set(id, {
        context,
        resolve: (result) => { done(); resolve(result) },
        reject: (error) => { done(); reject(error) }
      })
      signal.addEventListener('abort', onAbort, { once: true })
      // The SDK's handle on the polling pattern (2025-11-25 §Sending Messages #6): a handler
      // may close its request's connection and the client resumes with Last-Event-ID.
      // The SDK hands `authInfo` to its handlers as extra.authInfo (the `auth` option).
      const authInfo = context.authInfo
      this.onmessage?.(request as JSONRPCMessage, {
        authInfo: authInfo === undefined ? undefined : sdkAuthInfo(authInfo),
        closeSSEStream: () => { context.closeStream() }
      })
    })
  }

  /** Delivers a client message (notification, or answer to the SDK's request) to the SDK. */
  receive (message: JsonRpcMessage): void {
    this.onmessage?.(message as JSONRPCMessage)
  }

  async send (message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) return
    const msg = message as JsonRpcMessage
    if (!('method' in msg)) {
      // The SDK's answer to a client request. An unknown id was cancelled: no response then.
      const request = this.inflight.get(msg.id!)
      if (request === undefined) return
      if ('result' in msg) request.resolve(msg.result)
      else request.reject(new McpError(msg.error.code, msg.error.message, msg.error.data))
      return
    }
    const related = options?.relatedRequestId
    const origin = related === undefined ? undefined : this.inflight.get(related)
    if ('id' in msg) {
      this.forward(msg, origin)
      return
    }
    this.notify(msg, related, origin)
  }

  private notify (notification: JsonRpcNotification, related: RequestId | undefined, origin: InflightRequest | undefined): void {
    if (notification.method === 'notifications/cancelled') {
      // The SDK gave up on one of its requests (its own timeout). The client knows that
      // request under the transport's id, which times out and cancels on its own; here we
      // only make sure a late answer is not handed to the SDK.
      const cancelled = notification.params?.requestId as RequestId
      if (this.outbound.delete(cancelled)) return
    }
    const { jsonrpc: _jsonrpc, ...rest } = notification
    if (origin !== undefined) origin.context.notify(rest)
    // Related to a request that already finished: nothing may follow its response.
    else if (related === undefined && this.sessionId !== undefined) this.host()?.notify(this.sessionId, rest)
  }

  private forward (request: JsonRpcRequest, origin: InflightRequest | undefined): void {
    const sdkId = request.id
    // Related to a client request: on that request's stream. Otherwise (server.listRoots()
    // from anywhere): on the session's standalone stream.
    const sent = origin !== undefined
      ? origin.context.request(request.method, request.params)
      : this.requestOnStandalone(request)
    this.outbound.add(sdkId)
    sent.then(
      (result) => { if (this.outbound.delete(sdkId)) this.receive({ jsonrpc: '2.0', id: sdkId, result }) },
      (err: unknown) => { if (this.outbound.delete(sdkId)) this.receive({ jsonrpc: '2.0', id: sdkId, error: errorObject(err) }) }
    )
  }

  private requestOnStandalone (request: JsonRpcRequest): Promise<Result> {
    const host = this.host()
    if (host === null || this.sessionId === undefined) {
      return Promise.reject(new McpError(ErrorCode.InternalError, `Cannot send ${request.method}: this SDK server has no session (a 2026-07-28 request has none; return input_required instead)`))
    }
    return host.request(this.sessionId, request.method, request.params)
  }
}
