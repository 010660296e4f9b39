// The per-session bookkeeping both official SDK targets (1.x and 2.x) do the way the SDK
// examples do: one McpServer and one Streamable HTTP transport per session, kept in maps by
// session id, plus the session-wide answers the broadcast and bench_stats tools give. The two
// SDKs share no classes, so this is generic over small structural interfaces that both
// transports and both servers satisfy; each SDK's file supplies the constructors and the tools.
import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { memoryNow } from './lifecycle.js'

/** What the bookkeeping needs of a transport; both SDKs' Streamable HTTP transports have it. */
export interface SessionTransport {
  readonly sessionId: string | undefined
  onclose?: (() => void) | undefined
  close (): Promise<void>
}

/** The options that make a transport sessionful and report the id it hands out. */
export interface SessionTransportOptions {
  sessionIdGenerator: () => string
  onsessioninitialized: (sessionId: string) => void
}

interface LogNotification {
  method: 'notifications/message'
  params: { level: 'info', data: string }
}

/** What the bookkeeping needs of an McpServer: connecting, and its low-level server's notify. */
export interface SessionServer<T> {
  connect (transport: T): Promise<void>
  readonly server: { notification (notification: LogNotification): Promise<void> }
}

/** The answers that look across every session, for the tools that report on all of them. */
export interface AcrossSessions {
  /** Sends a log notification with the tag to every session; resolves how many were sent. */
  broadcastLog (tag: string): Promise<number>
  /** The bench_stats answer: sessions, held streams, heap and RSS (after GC when collect). */
  statsJson (collect: boolean): string
}

export class SdkSessionMap<T extends SessionTransport, S extends SessionServer<T>> implements AcrossSessions {
  readonly transports = new Map<string, T>()
  private readonly servers = new Map<string, S>()
  private openStreams = 0

  constructor (
    private readonly newServer: (across: AcrossSessions) => S,
    private readonly newTransport: (options: SessionTransportOptions) => T
  ) {}

  /** A transport for a request without a session id; it is kept once initialize succeeds. */
  async create (): Promise<T> {
    const server = this.newServer(this)
    const transport = this.newTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.transports.set(id, transport)
        this.servers.set(id, server)
      }
    })
    transport.onclose = () => {
      const id = transport.sessionId
      if (id !== undefined) {
        this.transports.delete(id)
        this.servers.delete(id)
      }
    }
    await server.connect(transport)
    return transport
  }

  /** Counts a held GET stream until its response closes. */
  trackStream (res: ServerResponse): void {
    this.openStreams++
    res.once('close', () => { this.openStreams-- })
  }

  async closeAll (): Promise<void> {
    await Promise.allSettled([...this.transports.values()].map((t) => t.close()))
  }

  async broadcastLog (tag: string): Promise<number> {
    const sends = [...this.servers.values()].map((s) => s.server.notification({ method: 'notifications/message', params: { level: 'info', data: tag } }))
    const settled = await Promise.allSettled(sends)
    return settled.filter((s) => s.status === 'fulfilled').length
  }

  statsJson (collect: boolean): string {
    const memory = memoryNow(collect)
    return JSON.stringify({ sessions: this.transports.size, streams: this.openStreams, heapUsed: memory.heapUsed, rss: memory.rss, gc: memory.gc })
  }
}
