import type { ServerResponse } from 'node:http'
import type { FastifyReply } from 'fastify'

// Headers every SSE response carries. `no-transform` keeps compressing proxies from
// buffering; X-Accel-Buffering turns nginx's buffering off (2026-07-28 transports
// §Receiving Messages recommends it for every revision's streams).
// HTTP/2 forbids connection-specific headers (RFC 9113 §8.2.2): `connection` is HTTP/1 only.
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no'
}
const HTTP1_SSE_HEADERS = { ...SSE_HEADERS, connection: 'keep-alive' }

/** Fastify with `http2: true` hands out the HTTP/2 compatibility response, which has a `stream`. */
function isHttp2 (raw: ServerResponse): boolean {
  return 'stream' in raw
}

export interface SseEvent {
  id?: string
  event?: string
  data: string
  retry?: number
}

export function formatEvent (event: SseEvent): string {
  let out = ''
  if (event.id !== undefined) out += `id: ${event.id}\n`
  if (event.retry !== undefined) out += `retry: ${event.retry}\n`
  if (event.event !== undefined) out += `event: ${event.event}\n`
  // JSON.stringify never emits a raw newline, so one data line holds a whole message.
  return out + `data: ${event.data}\n\n`
}

// Node corks a response's writes within a turn, but not the head that flushHeaders() sends:
// without this, a POST answered at once (progress, then its result) costs two writes, the
// head alone and then the events. The head is corked until the next tick instead, with one
// shared tick, so that opening 10,000 streams at once pays for one callback, not 10,000.
const corked: SseStream[] = []

function uncorkAll (): void {
  for (let i = 0; i < corked.length; i++) corked[i].uncork()
  corked.length = 0
}

/**
 * One Server-Sent Events response over `reply.raw`. It owns the socket after hijack: it
 * writes events the moment they exist, respects `write()` backpressure with a bounded
 * queue, and runs `onClose` exactly once whichever side ends the stream.
 */
export class SseStream {
  readonly raw: ServerResponse
  closed = false
  /** Why the stream ended: 'end' (we finished it), 'client' (peer went away), 'overflow'. */
  closeReason: 'end' | 'client' | 'overflow' | null = null
  /**
   * Set during shutdown: after the final bytes the socket is closed too, because a
   * keep-alive connection left idle would hold server.close() until the client drops it.
   */
  closeConnection = false
  private pending: string[] | null = null
  private pendingBytes = 0
  private drainWaiters: Array<() => void> | null = null
  private readonly maxQueueBytes: number
  private readonly onClose: (stream: SseStream) => void
  /**
   * An HTTP/2 response (Fastify with `http2: true`) is written Buffers, not strings: Node
   * 20's HTTP/2 compatibility layer garbles string chunks written in one turn (seen here:
   * the first bytes of an event replaced by other memory), while Buffers arrive intact.
   */
  private readonly http2: boolean

  constructor (raw: ServerResponse, maxQueueBytes: number, onClose: (stream: SseStream) => void) {
    this.raw = raw
    this.http2 = isHttp2(raw)
    this.maxQueueBytes = maxQueueBytes
    this.onClose = onClose
    this.handleClose = this.handleClose.bind(this)
    this.flush = this.flush.bind(this)
    raw.once('close', this.handleClose)
    raw.on('drain', this.flush)
  }

  /**
   * Takes over the reply: hijacks it so Fastify stops managing it, keeps every header that
   * hooks and plugins (CORS, Mcp-Session-Id, request ids) already set, and sends the head.
   */
  static start (reply: FastifyReply, maxQueueBytes: number, onClose: (stream: SseStream) => void): SseStream {
    reply.hijack()
    const raw = reply.raw
    raw.cork()
    raw.writeHead(200, { ...reply.getHeaders(), ...(isHttp2(raw) ? SSE_HEADERS : HTTP1_SSE_HEADERS) } as Record<string, string>)
    raw.flushHeaders()
    const stream = new SseStream(raw, maxQueueBytes, onClose)
    if (corked.push(stream) === 1) process.nextTick(uncorkAll)
    return stream
  }

  /** Writes a JSON-RPC message as an SSE `message` event. False when it could not be sent. */
  send (message: unknown, id?: string): boolean {
    return this.write(formatEvent({ id, event: 'message', data: JSON.stringify(message) }))
  }

  event (event: SseEvent): boolean {
    return this.write(formatEvent(event))
  }

  /** A comment line keeps proxies from timing the connection out; skipped when congested. */
  comment (text = ''): void {
    if (this.closed || this.pending !== null) return
    this.out(`:${text}\n\n`)
  }

  write (chunk: string): boolean {
    if (this.closed) return false
    if (this.pending !== null) {
      // Already waiting for 'drain': queue in order, up to the bound. A reader that stays
      // behind that long gets its stream closed; with an event store it resumes from the
      // last id it saw instead of the server buffering without end.
      this.pendingBytes += chunk.length
      if (this.pendingBytes > this.maxQueueBytes) {
        this.close('overflow')
        return false
      }
      this.pending.push(chunk)
      return true
    }
    if (!this.out(chunk)) this.pending = []
    return true
  }

  /** Sends the corked head and this turn's events; an ended response has sent them. */
  uncork (): void {
    if (!this.closed) this.raw.uncork()
  }

  private out (chunk: string): boolean {
    return this.raw.write(this.http2 ? Buffer.from(chunk) : chunk)
  }

  /** Ends the stream from our side (response delivered, session ended, shutdown). */
  end (): void {
    this.close('end')
  }

  get congested (): boolean {
    return this.pending !== null
  }

  /**
   * Resolves once what is queued has gone to the socket, or the stream closed: a writer
   * with more to send (a replay from a log) waits here instead of growing the queue.
   */
  drained (): Promise<void> {
    if (this.pending === null || this.closed) return Promise.resolve()
    return new Promise((resolve) => {
      if (this.drainWaiters === null) this.drainWaiters = []
      this.drainWaiters.push(resolve)
    })
  }

  private wakeDrainWaiters (): void {
    const waiters = this.drainWaiters
    if (waiters === null) return
    this.drainWaiters = null
    for (const waiter of waiters) waiter()
  }

  private flush (): void {
    const pending = this.pending
    if (pending === null) return
    this.pending = null
    this.pendingBytes = 0
    for (let i = 0; i < pending.length; i++) {
      if (!this.out(pending[i]) && i < pending.length - 1) {
        this.pending = pending.slice(i + 1)
        for (const chunk of this.pending) this.pendingBytes += chunk.length
        return
      }
    }
    this.wakeDrainWaiters()
  }

  private close (reason: 'end' | 'overflow'): void {
    if (this.closed) return
    this.finish(reason)
    if (reason === 'end') {
      // Let queued events reach the peer before the response ends.
      const rest = this.pending === null ? '' : this.pending.join('')
      this.pending = null
      // The response lets go of its socket on finish, so hold on to it first.
      const socket = this.raw.socket
      const last = this.http2 ? Buffer.from(rest) : rest
      if (this.closeConnection && socket !== null) this.raw.end(last, () => socket.destroy())
      else this.raw.end(last)
    } else {
      this.raw.destroy()
    }
  }

  private handleClose (): void {
    // finish() removes this listener, so it only runs while the stream is open.
    this.finish('client')
  }

  private finish (reason: NonNullable<SseStream['closeReason']>): void {
    this.closed = true
    this.closeReason = reason
    this.raw.off('drain', this.flush)
    this.raw.off('close', this.handleClose)
    this.wakeDrainWaiters()
    this.onClose(this)
  }
}
