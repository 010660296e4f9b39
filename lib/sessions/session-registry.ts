import { randomUUID } from 'node:crypto'
import type { JsonRpcNotification } from '../protocol/jsonrpc.js'
import { FST_MCP_TOO_MANY_SESSIONS } from '../errors.js'
import { Session, type SessionKind } from './session.js'

export interface SessionSummary {
  id: string
  protocolVersion: string
  clientInfo: { name: string, version: string } | undefined
  createdAt: number
  lastActivity: number
  streams: number
  inflight: number
}

export interface SessionRegistryOptions {
  maxSessions: number
  sessionTimeout: number
  onClose: (session: Session) => void
}

const ended = Object.assign(new Error('The session ended'), { code: 'FST_MCP_SESSION_ENDED' })

/**
 * The live sessions of one plugin instance; exposed as `fastify.mcpSessions`. Idle
 * sessions are swept by one unref'd timer rather than a timer per session.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>()
  private readonly maxSessions: number
  private readonly sessionTimeout: number
  private readonly onClose: (session: Session) => void
  private sweeper: NodeJS.Timeout | null = null
  private created = 0

  constructor (options: SessionRegistryOptions) {
    this.maxSessions = options.maxSessions
    this.sessionTimeout = options.sessionTimeout
    this.onClose = options.onClose
    this.sweep = this.sweep.bind(this)
  }

  /** Live sessions now. */
  get size (): number {
    return this.sessions.size
  }

  /** Sessions created since the plugin started. */
  get totalCreated (): number {
    return this.created
  }

  /** Creates a session with a fresh cryptographically random id (visible ASCII only). */
  create (kind: SessionKind = 'streamable'): Session {
    if (this.sessions.size >= this.maxSessions) throw new FST_MCP_TOO_MANY_SESSIONS(this.maxSessions)
    const session = new Session(randomUUID(), Date.now(), kind)
    this.sessions.set(session.id, session)
    this.created++
    this.startSweeper()
    return session
  }

  get (id: string): Session | undefined {
    return this.sessions.get(id)
  }

  has (id: string): boolean {
    return this.sessions.has(id)
  }

  /** The live sessions themselves (for the transport; users want list()). */
  values (): IterableIterator<Session> {
    return this.sessions.values()
  }

  list (): SessionSummary[] {
    const out: SessionSummary[] = []
    for (const s of this.sessions.values()) {
      out.push({
        id: s.id,
        protocolVersion: s.protocolVersion,
        clientInfo: s.clientInfo === undefined ? undefined : { name: s.clientInfo.name, version: s.clientInfo.version },
        createdAt: s.createdAt,
        lastActivity: s.lastActivity,
        streams: s.streams.size,
        inflight: s.inflight.size
      })
    }
    return out
  }

  /** Ends a session: its streams close, its work is aborted, later use gets 404. */
  close (id: string): boolean {
    const session = this.sessions.get(id)
    if (session === undefined) return false
    this.sessions.delete(id)
    session.close(ended)
    this.onClose(session)
    if (this.sessions.size === 0) this.stopSweeper()
    return true
  }

  /** Sends a notification on one session's standalone stream; false if it has none. */
  notify (id: string, notification: Omit<JsonRpcNotification, 'jsonrpc'>): boolean {
    const session = this.sessions.get(id)
    return session !== undefined && session.sendUnrelated({ jsonrpc: '2.0', ...notification })
  }

  /** Sends a notification to every session with a standalone stream; returns how many. */
  broadcast (notification: Omit<JsonRpcNotification, 'jsonrpc'>): number {
    // One serialisation shared by every stream would be faster still, but each stream may
    // tag its own event ids once resumability is on; keep the message object shared.
    const message: JsonRpcNotification = { jsonrpc: '2.0', ...notification }
    let delivered = 0
    for (const session of this.sessions.values()) {
      if (session.sendUnrelated(message)) delivered++
    }
    return delivered
  }

  closeAll (): void {
    for (const id of [...this.sessions.keys()]) this.close(id)
    this.stopSweeper()
  }

  private startSweeper (): void {
    if (this.sweeper !== null || this.sessionTimeout <= 0) return
    // Sweeping at a quarter of the timeout bounds how late an expiry can be (25%).
    this.sweeper = setInterval(this.sweep, Math.max(250, Math.floor(this.sessionTimeout / 4)))
    this.sweeper.unref()
  }

  private stopSweeper (): void {
    if (this.sweeper !== null) {
      clearInterval(this.sweeper)
      this.sweeper = null
    }
  }

  private sweep (): void {
    const cutoff = Date.now() - this.sessionTimeout
    for (const session of this.sessions.values()) {
      if (session.lastActivity < cutoff && !session.busy) this.close(session.id)
    }
  }
}
