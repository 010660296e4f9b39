import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify'
import type { JsonRpcMessage, JsonRpcResponse } from '../protocol/jsonrpc.js'
import type { OutboundChannel } from '../protocol/outbound-channel.js'
import type { Session } from '../sessions/session.js'
import type { MessageStream } from '../streams/message-stream.js'
import type { Transport } from '../transport.js'

/** How a POST is answered once it is decided: a JSON body, or a stream that took over. */
export type PostOutcome = { json: JsonRpcResponse | JsonRpcResponse[] } | { streamed: true }

/**
 * The answer to one POST that carried requests (2025-11-25 transports §Sending Messages #5).
 * In 'auto' mode it stays a plain JSON answer unless something must be sent before the
 * response (progress, logs, a server-to-client request): then it becomes an SSE stream
 * carrying those messages, then the response(s), then it ends. A client that drops the
 * connection does not cancel anything: the stream keeps its events for a resume.
 */
export class PostResponse implements OutboundChannel {
  private resolveOutcome: ((outcome: PostOutcome) => void) | null = null
  private decided: PostOutcome | null = null
  private stream: MessageStream | null = null
  private readonly collected: JsonRpcResponse[] = []
  private remaining: number
  private readonly transport: Transport
  private readonly reply: FastifyReply
  private readonly session: Session
  private readonly batch: boolean
  private readonly log: FastifyBaseLogger

  constructor (transport: Transport, reply: FastifyReply, session: Session, expected: number, batch: boolean) {
    this.transport = transport
    this.reply = reply
    this.session = session
    this.remaining = expected
    this.batch = batch
    this.log = reply.log
  }

  /** The POST itself; a getter, so a request without telemetry stores nothing for it. */
  get request (): FastifyRequest {
    return this.reply.request
  }

  /** How the POST is answered; made on demand, since the plain JSON path never asks. */
  get outcome (): Promise<PostOutcome> {
    if (this.decided !== null) return Promise.resolve(this.decided)
    return new Promise((resolve) => { this.resolveOutcome = resolve })
  }

  /**
   * The common case without a promise in between: true when a single request's answer is
   * still a plain JSON body, which the caller then sends itself (nothing more may be sent
   * here, and the outcome is never asked for). False when the answer is a stream.
   */
  answersDirectly (): boolean {
    if (this.stream !== null || this.batch || this.transport.options.responseMode === 'sse') return false
    this.remaining = 0
    return true
  }

  private settle (outcome: PostOutcome): void {
    this.decided = outcome
    this.resolveOutcome?.(outcome)
  }

  send (message: JsonRpcMessage): boolean {
    if (this.remaining === 0) return false
    if (this.stream === null) {
      // A JSON answer has room for the response only; the server was told so in the docs.
      if (this.transport.options.responseMode === 'json') return false
      this.open()
    }
    return this.stream!.send(message)
  }

  respond (response: JsonRpcResponse): void {
    this.remaining--
    // A single request still answerable with JSON never gets here (answersDirectly): this
    // is a batch collecting its answers.
    if (this.stream === null && this.transport.options.responseMode !== 'sse') {
      this.collected.push(response)
      if (this.remaining === 0) this.settle({ json: this.collected })
      return
    }
    if (this.stream === null) this.open()
    this.stream!.send(response)
    // 2025-11-25 transports §Sending Messages #6: after the response, terminate the stream.
    if (this.remaining === 0) this.finish()
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
    this.finish()
  }

  closeConnection (): boolean {
    if (this.remaining === 0 || this.transport.options.responseMode === 'json') return false
    if (this.stream === null) this.open()
    return this.stream!.closeConnection()
  }

  private finish (): void {
    const stream = this.stream!
    stream.finish()
    this.session.messageStreams.delete(stream.id)
  }

  private open (): void {
    const { session, transport } = this
    const stream = transport.delivery.answerStream(session, this.log)
    this.stream = stream
    const connection = transport.hub.open(this.reply, (closed) => {
      session.streams.delete(closed)
      stream.detach(closed)
      session.lastActivity = Date.now()
    })
    this.settle({ streamed: true })
    // DELETE may have ended the session while the handler ran; its streams must not outlive it.
    if (session.closed) {
      connection.end()
      stream.finish()
      return
    }
    session.streams.add(connection)
    stream.attach(connection, true)
  }
}
