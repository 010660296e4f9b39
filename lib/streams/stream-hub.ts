import type { FastifyReply } from 'fastify'
import { SseStream } from './sse-stream.js'

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
    const stream = SseStream.start(reply, this.maxQueueBytes, (closed) => {
      this.streams.delete(closed)
      if (this.streams.size === 0) this.stopTimer()
      if (onClose !== undefined) onClose(closed)
    })
    this.streams.add(stream)
    stream.closeConnection = this.closing
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
