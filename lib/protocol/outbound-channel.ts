import type { FastifyRequest } from 'fastify'
import type { JsonRpcMessage, JsonRpcResponse } from './jsonrpc.js'

/**
 * Where the messages of one client request go (2025-11-25 transports §Multiple
 * Connections: each message on exactly one stream). For a Streamable HTTP POST it is that
 * POST's response; for the HTTP+SSE transport, the session's one stream.
 */
export interface OutboundChannel {
  /** The HTTP request that carried the client request (telemetry reads its network facts). */
  readonly request: FastifyRequest
  /** A message related to the request, sent before its response. False when undeliverable. */
  send (message: JsonRpcMessage): boolean
  /** The request's final response. */
  respond (response: JsonRpcResponse): void
  /** The request ended without a response (it was cancelled). */
  abandon (): void
  /** Closes the connection but not the stream (resumable channels only); false if it cannot. */
  closeConnection? (): boolean
}
