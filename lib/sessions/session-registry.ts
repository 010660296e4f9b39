import { randomUUID } from 'node:crypto'
import type { JsonRpcNotification } from '../protocol/jsonrpc.js'
import type { MaybePromise } from '../protocol/dispatcher.js'
import { FST_MCP_TOO_MANY_SESSIONS } from '../errors.js'
import type { SessionStore } from '../state/session-store.js'
import { ResourceSubscriptions } from './resource-subscriptions.js'
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
  /** The shared state's records; null with the memory state. */
  store: SessionStore | null
  onClose: (session: Session) => void
}

const ended = Object.assign(new Error('The session ended'), { code: 'FST_MCP_SESSION_ENDED' })
const released = Object.assign(new Error('This instance stopped serving the session'), { code: 'FST_MCP_SESSION_RELEASED' })

// A shared record's TTL is extended at most this often per session and instance (or four
// times per timeout, for short ones): activity keeps a session alive without a Redis round
// trip on every request.
const TOUCH_INTERVAL = 1000

/**
 * The sessions this plugin instance serves; exposed as `fastify.mcpSessions`. With the
 * memory state they are all the sessions there are; with a shared state they are the ones
 * this instance has seen (a cache of the shared records: a miss loads the record). Idle
 * sessions are swept by one unref'd timer rather than a timer per session.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>()
  private readonly loading = new Map<string, Promise<Session | undefined>>()
  private readonly maxSessions: number
  private readonly sessionTimeout: number
  private readonly onClose: (session: Session) => void
  readonly store: SessionStore | null
  /**
   * Which session watches which resource URI (2025-11-25 server/resources §Subscriptions),
   * for notifications/resources/updated; memory state only, a shared state keeps them in
   * the records.
   */
  readonly subscriptions = new ResourceSubscriptions()
  private sweeper: NodeJS.Timeout | null = null
  private created = 0
  private readonly touchInterval: number

  constructor (options: SessionRegistryOptions) {
    this.maxSessions = options.maxSessions
    this.sessionTimeout = options.sessionTimeout
    this.store = options.store
    this.touchInterval = Math.min(TOUCH_INTERVAL, Math.floor(options.sessionTimeout / 4))
    this.onClose = options.onClose
    this.sweep = this.sweep.bind(this)
  }

  /** Live sessions now (with a shared state: the ones this instance holds). */
  get size (): number {
    return this.sessions.size
  }

  /** Sessions created by this instance since the plugin started. */
  get totalCreated (): number {
    return this.created
  }

  /**
   * Creates a session with a fresh cryptographically random id (visible ASCII only). A
   * shared store persists it with `persist` once its handshake is recorded.
   */
  create (kind: SessionKind = 'streamable'): Session {
    if (this.sessions.size >= this.maxSessions) throw new FST_MCP_TOO_MANY_SESSIONS(this.maxSessions)
    const session = new Session(randomUUID(), Date.now(), kind)
    this.adopt(session)
    this.created++
    return session
  }

  /** Saves a new session to the shared store (a no-op in memory) before its id is given out. */
  persist (session: Session): MaybePromise<void> {
    return this.store?.create(session)
  }

  get (id: string): Session | undefined {
    return this.sessions.get(id)
  }

  /**
   * The session with this id: from this instance, else (shared state) from the store, whose
   * record then stays cached here. Synchronous whenever the session is already known.
   */
  find (id: string, kind: SessionKind): Session | undefined | Promise<Session | undefined> {
    const known = this.sessions.get(id)
    const store = this.store
    if (known !== undefined || store === null) return known
    let loading = this.loading.get(id)
    if (loading === undefined) {
      loading = Promise.resolve(store.load(id, kind)).then((session) => {
        this.loading.delete(id)
        if (session === undefined) return undefined
        // Concurrent finds share this load, so no other Session of this id was adopted.
        this.adopt(session)
        return session
      }, (err: unknown) => {
        this.loading.delete(id)
        throw err
      })
      this.loading.set(id, loading)
    }
    return loading
  }

  /** Notes activity; with a shared state, extends the record's TTL now and then. */
  touch (session: Session, now = Date.now()): void {
    session.lastActivity = now
    if (this.store !== null && now - session.touchedAt >= this.touchInterval) {
      session.touchedAt = now
      this.store.touch(session)
    }
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

  /** Ends a session, on every instance: its streams close, its work is aborted, later use gets 404. */
  close (id: string): boolean {
    const session = this.sessions.get(id)
    if (session === undefined) return false
    // The store logs its own failures; a record it could not delete expires by its TTL.
    void Promise.resolve(this.terminate(session)).catch(() => {})
    return true
  }

  /** close() for a route that must know the whole cluster heard of it before it answers. */
  terminate (session: Session): MaybePromise<void> {
    if (!this.drop(session, ended)) return
    return this.store?.end(session)
  }

  /** The session ended elsewhere (another instance, or its record expired): end it here. */
  endedElsewhere (id: string): void {
    const session = this.sessions.get(id)
    if (session !== undefined) this.drop(session, ended)
  }


  /** Subscribes a session to a resource URI (resources/subscribe): in the index, or the shared record. */
  subscribe (session: Session, uri: string): void {
    const store = this.store
    // Shared: the record holds them (not this instance's copy of the session, which may be
    // older than a change made through another instance), and the store finds subscribers.
    if (store === null) this.subscriptions.subscribe(session.id, uri)
    else session.awaitSave(store.saveSubscription(session, uri, true))
  }

  unsubscribe (session: Session, uri: string): void {
    const store = this.store
    if (store === null) this.subscriptions.unsubscribe(session.id, uri)
    else session.awaitSave(store.saveSubscription(session, uri, false))
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

  /** Tells every session subscribed to `uri`; returns how many took it. */
  notifySubscribers (uri: string, notification: Omit<JsonRpcNotification, 'jsonrpc'>): number {
    let delivered = 0
    for (const id of this.subscriptions.subscribers(uri)) {
      if (this.notify(id, notification)) delivered++
    }
    return delivered
  }

  /**
   * Shutdown: every session this instance serves is let go. In memory that ends them; with
   * a shared state they live on, and other instances serve their clients from now on.
   */
  closeAll (): void {
    const store = this.store
    for (const session of [...this.sessions.values()]) {
      if (store !== null) this.release(session, store)
      else this.drop(session, ended)
    }
    this.stopSweeper()
  }

  private adopt (session: Session): void {
    this.sessions.set(session.id, session)
    this.startSweeper()
  }

  /** Removes and closes a session here; false when it was not here (any more). */
  private drop (session: Session, reason: Error): boolean {
    if (this.sessions.get(session.id) !== session) return false
    this.sessions.delete(session.id)
    this.subscriptions.dropSession(session.id)
    session.close(reason)
    this.onClose(session)
    if (this.sessions.size === 0) this.stopSweeper()
    return true
  }

  /** This instance stops serving a session that lives on in the shared store. */
  private release (session: Session, store: SessionStore): void {
    if (this.drop(session, released)) store.release(session)
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
    const now = Date.now()
    const cutoff = now - this.sessionTimeout
    const store = this.store
    for (const session of this.sessions.values()) {
      if (session.busy) {
        // A stream held here keeps the session alive for the whole cluster.
        if (store !== null) this.touch(session, now)
      } else if (session.lastActivity < cutoff) {
        // Shared: idle here is not idle everywhere; the record's TTL decides, and a later
        // request reloads it (or gets 404 once it expired).
        if (store !== null) this.release(session, store)
        else this.drop(session, ended)
      }
    }
  }
}
