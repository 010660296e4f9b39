import type { FastifyReply } from 'fastify'
import { SseStream } from './sse-stream.js'

// setTimeout's largest delay (about 24.8 days); a token valid for longer is rechecked
// when its stream reconnects after that.
const MAX_TIMER_DELAY = 2 ** 31 - 1

/**
 * Every open SSE stream of the plugin instance: counts them for health, keeps them alive
 * with one shared heartbeat timer (not one timer per stream: 10,000 idle streams cost one
 * interval), and ends them all on close.
 */
export class StreamHub {
  private readonly streams = new Set<SseStream>()
  private timer: NodeJS.Timeout | null = null
  private closing = false
  private readonly heartbeatInterval: number
  private readonly maxQueueBytes: number

  constructor (heartbeatInterval: number, maxQueueBytes: number) {
    this.heartbeatInterval = heartbeatInterval
    this.maxQueueBytes = maxQueueBytes
    this.beat = this.beat.bind(this)
  }

  get size (): number {
    return this.streams.size
  }

  open (reply: FastifyReply, onClose?: (stream: SseStream) => void): SseStream {
    let expiry: NodeJS.Timeout | null = null
    const stream = SseStream.start(reply, this.maxQueueBytes, (closed) => {
      if (expiry !== null) clearTimeout(expiry)
      this.streams.delete(closed)
      if (this.streams.size === 0) this.stopTimer()
      if (onClose !== undefined) onClose(closed)
    })
    this.streams.add(stream)
    stream.closeConnection = this.closing
    // With the auth option a token was checked when the stream opened, but a stream lives
    // on: it must not outlive the token (2025-11-25 authorization §Token Handling: expired
    // tokens are refused). Its connection ends then; the client comes back with a fresh
    // token, and Last-Event-ID where the stream is resumable.
    const expiresAt = reply.request.mcpAuth?.expiresAt
    if (expiresAt !== undefined) {
      // Not unref'd, unlike the heartbeat: it is cleared when the stream closes, and until
      // then it is the stream's own deadline.
      expiry = setTimeout(() => stream.end(), Math.min(Math.max(expiresAt * 1000 - Date.now(), 0), MAX_TIMER_DELAY))
    }
    if (this.timer === null && this.heartbeatInterval > 0) {
      this.timer = setInterval(this.beat, this.heartbeatInterval)
      this.timer.unref()
    }
    return stream
  }

  closeAll (): void {
    this.closing = true
    for (const stream of this.streams) {
      stream.closeConnection = true
      stream.end()
    }
    this.stopTimer()
  }

  private beat (): void {
    for (const stream of this.streams) stream.comment()
  }

  private stopTimer (): void {
    if (this.timer !== null) {
      clearInterval(this.timer)
      this.timer = null
    }
  }
}
