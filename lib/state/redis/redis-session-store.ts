import type { FastifyBaseLogger } from 'fastify'
import type { Implementation, LoggingLevel } from '../../../types/index.js'
import { Session, type MessageSink, type SessionField, type SessionKind } from '../../sessions/session.js'
import type { SessionRegistry } from '../../sessions/session-registry.js'
import type { SessionStore } from '../session-store.js'
import type { RedisBus } from './redis-bus.js'
import type { RedisClient } from './redis-client.js'
import type { RedisKeys } from './redis-keys.js'
import { createSession, endSession, indexMember, loadSession, saveFields, saveSubscription, touchSession } from './redis-scripts.js'
import type { StateGuard } from './state-guard.js'

/** The stream id of an HTTP+SSE session's one stream: it has exactly one, for life. */
export const SSE_STREAM = 'sse'

/** What a record update carries to the other instances' copies of the session. */
export interface RecordUpdate {
  protocolVersion?: string
  clientCapabilities?: Record<string, unknown>
  clientInfo?: Implementation
  logLevel?: LoggingLevel
}

/**
 * Session records in Redis: a hash per session (plus its subscriptions) under a sliding
 * TTL, cached by every instance that serves the session. A new record is written before
 * its id is handed out; a DELETE deletes every key of the session and tells the other
 * instances over the bus; an expiry is noticed at the next touch.
 */
export class RedisSessionStore implements SessionStore {
  private readonly client: RedisClient
  private readonly keys: RedisKeys
  private readonly bus: RedisBus
  private readonly guard: StateGuard
  private readonly ttl: number
  private readonly instanceId: string
  private readonly log: FastifyBaseLogger
  private registry: SessionRegistry | null = null
  /** How unrelated messages leave a session that this instance does not hold the stream of. */
  private sink: ((session: Session) => MessageSink) | null = null

  constructor (client: RedisClient, keys: RedisKeys, bus: RedisBus, guard: StateGuard, ttl: number, instanceId: string, log: FastifyBaseLogger) {
    this.client = client
    this.keys = keys
    this.bus = bus
    this.guard = guard
    this.ttl = ttl
    this.instanceId = instanceId
    this.log = log
  }

  /** Late wiring: the registry and the delivery exist after the store. */
  bind (registry: SessionRegistry, sink: (session: Session) => MessageSink): void {
    this.registry = registry
    this.sink = sink
  }

  async create (session: Session): Promise<void> {
    this.prepare(session)
    const { keys } = this
    const fields: Array<string | number> = [
      'kind', session.kind, 'createdAt', session.createdAt,
      'protocolVersion', session.protocolVersion,
      'clientCapabilities', JSON.stringify(session.clientCapabilities)
    ]
    if (session.clientInfo !== undefined) fields.push('clientInfo', JSON.stringify(session.clientInfo))
    if (session.owner !== undefined) fields.push('owner', session.owner)
    // An HTTP+SSE session's one stream is its standalone stream from the start.
    if (session.kind === 'sse') fields.push('standalone', SSE_STREAM)
    await this.guard.run(Promise.all([
      this.bus.subscribe(keys.channel(session.id)),
      createSession.run(this.client, [keys.record(session.id), this.ttl, ...fields])
    ]))
  }

  async load (id: string, kind: SessionKind): Promise<Session | undefined> {
    const { keys } = this
    const channel = keys.channel(id)
    const [, reply] = await this.guard.run(Promise.all([
      this.bus.subscribe(channel),
      loadSession.run(this.client, [keys.record(id)]) as Promise<string[] | null>
    ]))
    if (reply === null) {
      this.bus.unsubscribe(channel)
      return undefined
    }
    const record = new Map<string, string>()
    for (let i = 0; i < reply.length; i += 2) record.set(reply[i], reply[i + 1])
    const recorded = record.get('kind') as SessionKind
    // The other transport's session: the lookup answers 404, and this instance keeps nothing.
    if (recorded !== kind) {
      this.bus.unsubscribe(channel)
      return undefined
    }
    const session = new Session(id, Number(record.get('createdAt')), recorded)
    this.prepare(session)
    // create() wrote both; the Lua scripts never delete a field.
    session.protocolVersion = record.get('protocolVersion')!
    session.clientCapabilities = JSON.parse(record.get('clientCapabilities')!)
    const info = record.get('clientInfo')
    if (info !== undefined) session.clientInfo = JSON.parse(info)
    session.owner = record.get('owner')
    const level = record.get('logLevel')
    if (level !== undefined) session.applyLogLevel(level as LoggingLevel)
    return session
  }

  saveField (session: Session, field: SessionField): Promise<void> {
    const { keys } = this
    const update: RecordUpdate = field === 'logLevel'
      ? { logLevel: session.logLevel }
      : { protocolVersion: session.protocolVersion, clientCapabilities: session.clientCapabilities, clientInfo: session.clientInfo }
    const fields: string[] = []
    for (const [name, value] of Object.entries(update)) {
      if (value !== undefined) fields.push(name, typeof value === 'string' ? value : JSON.stringify(value))
    }
    return this.saved(session, saveFields.run(this.client, [keys.record(session.id), keys.channel(session.id), `u${this.instanceId} ${JSON.stringify(update)}`, ...fields]))
  }

  saveSubscription (session: Session, uri: string, subscribed: boolean): Promise<void> {
    const { keys } = this
    return this.saved(session, saveSubscription.run(this.client, [keys.record(session.id), keys.subscriptions(session.id), this.ttl, subscribed ? '+' : '-', uri]))
  }

  private saved (session: Session, done: Promise<unknown>): Promise<void> {
    return done.then(() => {}, (err: unknown) => this.log.error({ err, sessionId: session.id }, 'MCP Redis state failed to save a session record'))
  }

  /** Another instance changed the record: this copy follows. */
  applyUpdate (session: Session, message: string): void {
    const space = message.indexOf(' ')
    if (message.slice(1, space) === this.instanceId) return
    const update = JSON.parse(message.slice(space + 1)) as RecordUpdate
    if (update.protocolVersion !== undefined) session.protocolVersion = update.protocolVersion
    if (update.clientCapabilities !== undefined) session.clientCapabilities = update.clientCapabilities
    if (update.clientInfo !== undefined) session.clientInfo = update.clientInfo
    if (update.logLevel !== undefined) session.applyLogLevel(update.logLevel)
  }

  touch (session: Session): void {
    const { keys } = this
    const id = session.id
    touchSession.run(this.client, [keys.record(id), keys.subscriptions(id), keys.streams(id), this.ttl, keys.logPrefix(id)]).then((alive) => {
      // Expired (or deleted while the bus was down): 404 from now on, here too.
      if (alive === 0) this.endedElsewhere(id)
    }, (err: unknown) => this.log.warn({ err, sessionId: id }, 'MCP Redis state failed to extend a session TTL'))
  }

  async end (session: Session): Promise<void> {
    const { keys } = this
    const id = session.id
    this.bus.unsubscribe(keys.channel(id))
    await this.guard.run(Promise.all([
      endSession.run(this.client, [keys.record(id), keys.subscriptions(id), keys.streams(id), keys.logPrefix(id), keys.channel(id), 'x']),
      indexMember.run(this.client, [keys.standaloneSet, 'remove', id])
    ]))
  }

  release (session: Session): void {
    this.bus.unsubscribe(this.keys.channel(session.id))
  }

  /** The session ended on another instance, or expired: it ends here too. */
  endedElsewhere (id: string): void {
    this.bus.unsubscribe(this.keys.channel(id))
    this.registry!.endedElsewhere(id)
  }

  private prepare (session: Session): void {
    session.record = this
    session.outboundPrefix = `${this.instanceId}.`
    session.standalone = this.sink!(session)
  }
}
