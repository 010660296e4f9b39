import type { FastifyRequest } from 'fastify'
import type { MessageSink } from '../sessions/session.js'
import type { JsonRpcMessage, JsonRpcResponse } from './jsonrpc.js'
import type { OutboundChannel } from './outbound-channel.js'

/**
 * Where every message of an HTTP+SSE session goes: its one GET stream (2024-11-05
 * transports §HTTP with SSE: server messages, responses included, are `message` events on
 * the SSE connection; the POST that carried the request only gets 202). One channel serves
 * all the requests of the session, so it keeps no per-request state.
 */
export class SseSessionChannel implements OutboundChannel {
  readonly stream: MessageSink
  /** The POST /messages that carried the request (the stream is the GET's). */
  readonly request: FastifyRequest

  constructor (stream: MessageSink, request: FastifyRequest) {
    this.stream = stream
    this.request = request
  }

  send (message: JsonRpcMessage): boolean {
    return this.stream.send(message)
  }

  respond (response: JsonRpcResponse): void {
    this.stream.send(response)
  }

  abandon (): void {
    // A cancelled request gets no response (2025-11-25 cancellation), and unlike a POST's
    // stream this one carries the rest of the session: it stays open.
  }
}
