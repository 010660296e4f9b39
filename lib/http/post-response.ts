import type { FastifyReply } from 'fastify'
import type { ResponseMode } from '../../types/index.js'
import type { JsonRpcMessage, JsonRpcResponse } from '../protocol/jsonrpc.js'
import type { OutboundChannel } from '../protocol/outbound-channel.js'
import type { Session } from '../sessions/session.js'
import type { SseStream } from '../streams/sse-stream.js'
import type { StreamHub } from '../streams/stream-hub.js'

/** How a POST is answered once it is decided: a JSON body, or a stream that took over. */
export type PostOutcome = { json: JsonRpcResponse | JsonRpcResponse[] } | { streamed: true }

/**
 * The answer to one POST that carried requests (2025-11-25 transports §Sending Messages #5).
 * In 'auto' mode it stays a plain JSON answer unless something must be sent before the
 * response (progress, logs, a server-to-client request): then it becomes an SSE stream
 * carrying those messages, then the response(s), then it ends.
 */
export class PostResponse implements OutboundChannel {
  readonly outcome: Promise<PostOutcome>
  private settle!: (outcome: PostOutcome) => void
  private stream: SseStream | null = null
  private readonly collected: JsonRpcResponse[] = []
  private remaining: number
  private readonly reply: FastifyReply
  private readonly session: Session
  private readonly hub: StreamHub
  private readonly mode: ResponseMode
  private readonly batch: boolean

  constructor (reply: FastifyReply, session: Session, hub: StreamHub, mode: ResponseMode, expected: number, batch: boolean) {
    this.reply = reply
    this.session = session
    this.hub = hub
    this.mode = mode
    this.remaining = expected
    this.batch = batch
    this.outcome = new Promise((resolve) => { this.settle = resolve })
  }

  send (message: JsonRpcMessage): boolean {
    if (this.remaining === 0) return false
    if (this.stream === null) {
      // A JSON answer has room for the response only; the server was told so in the docs.
      if (this.mode === 'json') return false
      this.open()
    }
    return this.stream!.send(message)
  }

  respond (response: JsonRpcResponse): void {
    this.remaining--
    if (this.stream === null && this.mode !== 'sse') {
      this.collected.push(response)
      if (this.remaining === 0) this.settle({ json: this.batch ? this.collected : response })
      return
    }
    if (this.stream === null) this.open()
    this.stream!.send(response)
    // 2025-11-25 transports §Sending Messages #6: after the response, terminate the stream.
    if (this.remaining === 0) this.stream!.end()
  }

  abandon (): void {
    this.remaining--
    if (this.remaining > 0) return
    if (this.stream === null && this.collected.length > 0) {
      this.settle({ json: this.collected })
      return
    }
    // A cancelled request gets no response: an empty stream that ends at once says so.
    if (this.stream === null) this.open()
    this.stream!.end()
  }

  private open (): void {
    const session = this.session
    const stream = this.hub.open(this.reply, (closed) => {
      session.streams.delete(closed)
      session.lastActivity = Date.now()
    })
    this.stream = stream
    this.settle({ streamed: true })
    // DELETE may have ended the session while the handler ran; its streams must not outlive it.
    if (session.closed) stream.end()
    else session.streams.add(stream)
  }
}
