// Thousands of held GET streams on raw sockets: a hand-written request and a substring
// search per chunk cost far less than http.ClientRequest objects, so the client side stays
// cheap next to the server at 10,000 streams.
import net from 'node:net'

const OPEN_TIMEOUT_MS = 30_000

interface Stream {
  socket: net.Socket
  headersDone: boolean
  head: string
  tail: string
  seenTag: boolean
  closed: boolean
}

export interface OpenOutcome {
  opened: number
  failed: number
  statuses: Record<string, number>
}

export interface DeliveryOutcome {
  received: number
  missing: number
  /** Milliseconds from `since` to the last stream that saw the tag; null if none did. */
  lastMs: number | null
  /** Milliseconds from `since` to the first stream that saw the tag. */
  firstMs: number | null
}

export class SseFleet {
  private readonly streams: Stream[] = []
  private readonly host: string
  private readonly port: number
  private readonly path: string
  private tag: string | null = null
  private received = 0
  private firstAt: bigint | null = null
  private lastAt: bigint | null = null
  private onReceived: (() => void) | null = null
  closedEarly = 0

  constructor (url: string) {
    const parsed = new URL(url)
    this.host = parsed.hostname
    this.port = Number(parsed.port)
    this.path = parsed.pathname
  }

  get size (): number {
    return this.streams.length
  }

  /** Opens one GET stream per session id, `concurrency` handshakes at a time. */
  async open (sessionIds: string[], protocolVersion: string, concurrency = 200): Promise<OpenOutcome> {
    const outcome: OpenOutcome = { opened: 0, failed: 0, statuses: {} }
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < sessionIds.length) {
        const status = await this.openOne(sessionIds[next++], protocolVersion)
        outcome.statuses[status] = (outcome.statuses[status] ?? 0) + 1
        if (status === '200') outcome.opened++
        else outcome.failed++
      }
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, sessionIds.length) }, worker))
    return outcome
  }

  /** Starts watching for `tag`; call before sending the broadcast that carries it. */
  expect (tag: string): void {
    this.tag = tag
    this.received = 0
    this.firstAt = null
    this.lastAt = null
    for (const stream of this.streams) {
      stream.seenTag = false
      stream.tail = ''
    }
  }

  /** Waits until every open stream saw the tag, or the timeout passes. */
  async delivered (since: bigint, timeoutMs: number): Promise<DeliveryOutcome> {
    const expected = this.streams.filter((s) => !s.closed).length
    if (this.received < expected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs)
        function done (): void {
          clearTimeout(timer)
          resolve()
        }
        this.onReceived = () => { if (this.received >= expected) done() }
      })
      this.onReceived = null
    }
    const ms = (at: bigint | null): number | null => at === null ? null : Number(at - since) / 1e6
    return { received: this.received, missing: this.streams.length - this.received, lastMs: ms(this.lastAt), firstMs: ms(this.firstAt) }
  }

  closeAll (): void {
    for (const stream of this.streams) {
      stream.closed = true
      stream.socket.destroy()
    }
    this.streams.length = 0
  }

  private openOne (sessionId: string, protocolVersion: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: this.host, port: this.port })
      const stream: Stream = { socket, headersDone: false, head: '', tail: '', seenTag: false, closed: false }
      let settled = false
      const settle = (status: string): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (status === '200') this.streams.push(stream)
        else socket.destroy()
        resolve(status)
      }
      const timer = setTimeout(() => settle('timeout'), OPEN_TIMEOUT_MS)
      socket.setNoDelay(true)
      socket.setEncoding('utf8')
      socket.on('connect', () => {
        socket.write(`GET ${this.path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nAccept: text/event-stream\r\n` +
          `Mcp-Session-Id: ${sessionId}\r\nMcp-Protocol-Version: ${protocolVersion}\r\n\r\n`)
      })
      socket.on('data', (chunk: string) => {
        if (!stream.headersDone) {
          stream.head += chunk
          const end = stream.head.indexOf('\r\n\r\n')
          if (end === -1) return
          stream.headersDone = true
          const status = stream.head.slice(9, 12)
          const rest = stream.head.slice(end + 4)
          stream.head = ''
          settle(status)
          if (rest !== '') this.scan(stream, rest)
          return
        }
        this.scan(stream, chunk)
      })
      socket.on('error', () => settle('error'))
      socket.on('close', () => {
        if (settled && !stream.closed && stream.headersDone) this.closedEarly++
        stream.closed = true
        settle('closed')
      })
    })
  }

  private scan (stream: Stream, chunk: string): void {
    const tag = this.tag
    if (tag === null || stream.seenTag) return
    // Keep the end of the previous chunk so a tag split across two chunks is still found.
    const text = stream.tail + chunk
    if (text.includes(tag)) {
      stream.seenTag = true
      stream.tail = ''
      const now = process.hrtime.bigint()
      if (this.firstAt === null) this.firstAt = now
      this.lastAt = now
      this.received++
      this.onReceived?.()
      return
    }
    stream.tail = text.slice(-tag.length)
  }
}
