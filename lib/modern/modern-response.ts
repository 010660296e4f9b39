import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Cancellation } from '../protocol/cancellation.js'
import type { JsonRpcMessage, JsonRpcResponse } from '../protocol/jsonrpc.js'
import type { OutboundChannel } from '../protocol/outbound-channel.js'
import type { SseStream } from '../streams/sse-stream.js'
import type { Transport } from '../transport.js'
import { ModernErrorCode } from './era.js'

/** How a modern POST is answered: a JSON body with its HTTP status, or a stream that took over. */
export type ModernOutcome = { json: JsonRpcResponse, status: number } | { streamed: true }

// T-0728 §Protocol Version Header: an unknown method is 404 (the JSON-RPC body tells it
// from a legacy server's plain 404); B-0728 §`_meta`: an undeclared capability is 400.
const STATUS_OF_ERROR: Readonly<Record<number, number>> = {
  [-32601]: 404,
  [ModernErrorCode.HeaderMismatch]: 400,
  [ModernErrorCode.MissingRequiredClientCapability]: 400
}

/**
 * The answer to one modern-era request (2026-07-28 transports §Receiving Messages): JSON,
 * or an SSE stream once a related notification must go out first. No event ids (streams
 * are not resumable in this revision), and never a server-to-client request (that is an
 * input_required result instead). Closing the stream cancels the request (§Cancellation).
 */
export class ModernResponse implements OutboundChannel {
  readonly outcome: Promise<ModernOutcome>
  private settle!: (outcome: ModernOutcome) => void
  private stream: SseStream | null = null
  private done = false
  private readonly transport: Transport
  private readonly reply: FastifyReply
  private readonly controller: Cancellation

  constructor (transport: Transport, reply: FastifyReply, controller: Cancellation) {
    this.transport = transport
    this.reply = reply
    this.controller = controller
    this.outcome = new Promise((resolve) => { this.settle = resolve })
    // §Cancellation: a connection closed before the response (JSON wait or SSE stream)
    // cancels the request; the handler's signal aborts and its work stops.
    reply.raw.once('close', () => { if (!this.done) controller.abort() })
  }

  /** The POST itself; a getter, so a request without telemetry stores nothing for it. */
  get request (): FastifyRequest {
    return this.reply.request
  }

  send (message: JsonRpcMessage): boolean {
    // T-0728 §Receiving Messages: notifications only, never an independent request.
    if (this.done || 'id' in message || this.controller.aborted) return false
    if (this.stream === null) {
      if (this.transport.options.responseMode === 'json') return false
      this.open()
    }
    return this.stream!.send(message)
  }

  respond (answer: JsonRpcResponse): void {
    this.done = true
    // B-0728 §Result Responses: every result says what it is; a handler's own resultType
    // (input_required) is kept.
    const response = 'result' in answer && answer.result.resultType === undefined
      ? { ...answer, result: { ...answer.result, resultType: 'complete' } }
      : answer
    if (this.stream === null && this.transport.options.responseMode !== 'sse') {
      const status = 'error' in response ? STATUS_OF_ERROR[response.error.code] ?? 200 : 200
      this.settle({ json: response, status })
      return
    }
    if (this.stream === null) this.open()
    this.stream!.send(response)
    this.stream!.end()
  }

  abandon (): void {
    this.done = true
    // Cancelled (the client closed the stream, or the server shut down): nothing to answer.
    if (this.stream === null) this.open()
    this.stream!.end()
  }

  private open (): void {
    this.stream = this.transport.hub.open(this.reply)
    this.settle({ streamed: true })
  }
}
