import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger, FastifyReply } from 'fastify'
import { FST_MCP_SESSION_NOT_FOUND, FST_MCP_UNKNOWN_EVENT_ID } from '../../errors.js'
import type { JsonRpcMessage, JsonRpcResponse, RequestId } from '../../protocol/jsonrpc.js'
import { versionAtLeast } from '../../protocol/versions.js'
import type { MessageSink, Session } from '../../sessions/session.js'
import { MessageStream, parseEventId } from '../../streams/message-stream.js'
import type { SseStream } from '../../streams/sse-stream.js'
import type { Delivery, Notification } from '../delivery.js'
import type { DeliveryContext } from '../state.js'
import type { RedisBus } from './redis-bus.js'
import type { RedisClient } from './redis-client.js'
import type { LogEntry, RedisEventLog } from './redis-event-log.js'
import type { RedisKeys } from './redis-keys.js'
import { indexMember, indexMembers, openStandalone } from './redis-scripts.js'
import { SSE_STREAM, type RedisSessionStore } from './redis-session-store.js'
import type { StateGuard } from './state-guard.js'
import { StreamFeed } from './stream-feed.js'

/** Ids of shared streams: random (unique across instances and restarts), never reused. */
function sharedStreamId (): string {
  return randomBytes(8).toString('hex')
}

/**
 * A POST's answer stream with the Redis state. Its one writer is the handler on this
 * instance, so it numbers its own events (no round trip before a write) and writes them
 * straight to its connection; every event also goes to the log, one batch in flight at a
 * time (in order, and a burst of progress costs one script call, not one per event), and,
 * once the connection is gone, wakes whoever resumed the stream (on any instance).
 */
class SharedAnswerStream extends MessageStream {
  private readonly eventLog: RedisEventLog
  private readonly logger: FastifyBaseLogger
  /** (seq, field, value) triples not sent to the log yet. */
  private unsent: Array<string | number> = []
  private sending = false

  constructor (session: Session, eventLog: RedisEventLog, retryInterval: number, log: FastifyBaseLogger) {
    super({
      sessionId: session.id,
      // Resumable without an event store: the events go to the session's log (keep below).
      store: null,
      priming: versionAtLeast(session.protocolVersion, '2025-11-25'),
      retryInterval,
      log
    }, sharedStreamId())
    this.eventLog = eventLog
    this.logger = log
  }

  protected override get resumable (): boolean {
    return true
  }

  protected override keep (seq: number, data: string): void {
    this.append(seq, 'd', data)
  }

  protected override ended (): void {
    this.append(++this.seq, 'e', '1')
  }

  private append (seq: number, field: 'd' | 'e', value: string): void {
    this.unsent.push(seq, field, value)
    if (!this.sending) void this.sendToLog()
  }

  private async sendToLog (): Promise<void> {
    this.sending = true
    while (this.unsent.length > 0) {
      const events = this.unsent
      this.unsent = []
      try {
        await this.eventLog.appendOwn(this.options.sessionId, this.id, events, this.connection === null)
      } catch (err) {
        this.logger.warn({ err, sessionId: this.options.sessionId }, 'MCP Redis state failed to keep stream events')
      }
    }
    this.sending = false
  }
}

/** Messages on a session's channel: the first character says what it is. */
const WAKE = 'w'
/** A wake-up with the event: 'v<stream> <seq> <data>'. */
const EVENT = 'v'
const ENDED = 'x'
const UPDATE = 'u'
const RESPONSE = 'r'
const CANCEL = 'c'

/**
 * Delivery with the Redis state. Every stream's events are in its log; the instance that
 * holds a stream's connection feeds it from the log whenever the bus wakes it. So a
 * message reaches its stream wherever the stream is held, a client resumes on any
 * instance, and a holder that dies loses nothing: the log is still there.
 */
export class RedisDelivery implements Delivery {
  private readonly context: DeliveryContext
  private readonly client: RedisClient
  private readonly keys: RedisKeys
  private readonly bus: RedisBus
  private readonly eventLog: RedisEventLog
  private readonly store: RedisSessionStore
  private readonly guard: StateGuard
  private readonly instanceId: string
  private readonly log: FastifyBaseLogger
  /** The streams this instance holds a connection of, by session. */
  private readonly feeds = new Map<string, Set<StreamFeed>>()

  constructor (context: DeliveryContext, client: RedisClient, keys: RedisKeys, bus: RedisBus, eventLog: RedisEventLog,
    store: RedisSessionStore, guard: StateGuard, instanceId: string, log: FastifyBaseLogger) {
    this.context = context
    this.client = client
    this.keys = keys
    this.bus = bus
    this.eventLog = eventLog
    this.store = store
    this.guard = guard
    this.instanceId = instanceId
    this.log = log
  }

  /** Where a session's unrelated messages go from any instance: its standalone stream's log. */
  unrelatedSink (session: Session): MessageSink {
    return {
      send: (message: JsonRpcMessage) => {
        this.eventLog.appendUnrelated(session.id, JSON.stringify(message))
          .catch((err: unknown) => this.log.warn({ err, sessionId: session.id }, 'MCP Redis state failed to send on a standalone stream'))
        return true
      }
    }
  }

  answerStream (session: Session, log: FastifyBaseLogger): MessageStream {
    const stream = new SharedAnswerStream(session, this.eventLog, this.context.options.retryInterval, log)
    session.messageStreams.set(stream.id, stream)
    return stream
  }

  async openStandalone (session: Session, reply: FastifyReply): Promise<void> {
    const { keys } = this
    const id = session.id
    const streamId = sharedStreamId()
    const prime = versionAtLeast(session.protocolVersion, '2025-11-25')
    const opened = await this.guard.run(openStandalone.run(this.client, [
      keys.record(id), keys.streams(id), keys.logPrefix(id), streamId, prime ? '1' : '0',
      this.context.options.retryInterval, this.ttl, Date.now(), keys.channel(id)
    ]))
    // Gone from Redis, or ended (the bus said so) while the script ran: the session is over.
    if (opened === null || session.closed) throw new FST_MCP_SESSION_NOT_FOUND()
    // The index is in another hash slot than the session, so not in the script: a failure
    // leaves this stream out of broadcasts (mcpSessions.broadcast) until it is reopened.
    indexMember.run(this.client, [keys.standaloneSet, 'add', id])
      .catch((err: unknown) => this.log.warn({ err, sessionId: id }, 'MCP Redis state could not index a standalone stream; broadcasts miss it'))
    // Reads from the start: the priming event, then whatever any instance sent since.
    this.hold(session, reply, streamId, 0, true)
  }

  holdSseStream (session: Session, stream: SseStream): void {
    // Writes from this instance go straight to the stream; the log brings the others'.
    session.standalone = stream
    this.feed(session, SSE_STREAM, stream, 0, false)
  }

  async resume (session: Session, reply: FastifyReply, lastEventId: string): Promise<void> {
    const parsed = parseEventId(lastEventId)
    if (parsed === null) throw new FST_MCP_UNKNOWN_EVENT_ID(lastEventId)
    const { streamId } = parsed
    // Read before the response starts: an id that cannot be replayed whole is a 400.
    const first = await this.guard.run(this.eventLog.read(session.id, streamId, parsed.seq, false))
    if (first === null) throw new FST_MCP_UNKNOWN_EVENT_ID(lastEventId)
    if (session.closed) throw new FST_MCP_SESSION_NOT_FOUND()
    // This instance holds the stream now: the replay, then whatever follows, live.
    this.feed(session, streamId, this.open(session, reply), parsed.seq, true, first)
  }

  async notify (sessionId: string, notification: Notification): Promise<boolean> {
    return this.guard.run(this.eventLog.appendUnrelated(sessionId, JSON.stringify({ jsonrpc: '2.0', ...notification })))
  }

  async broadcast (notification: Notification): Promise<number> {
    const listening = this.publish(notification)
    return listening + await this.broadcastSessions(notification)
  }

  broadcastSessions (notification: Notification): Promise<number> {
    return this.toStandaloneStreams(notification, '')
  }

  notifySubscribers (uri: string, notification: Notification): Promise<number> {
    return this.toStandaloneStreams(notification, uri)
  }

  publish (notification: Notification): number {
    // Other instances' listen streams hear it through the bus; this one's at once.
    this.bus.publish(this.keys.listenChannel, `${this.instanceId} ${JSON.stringify(notification)}`)
      .catch((err: unknown) => this.log.warn({ err }, 'MCP Redis state failed to publish to listen streams'))
    return this.context.listeners.broadcast(notification)
  }

  forwardResponse (session: Session, response: JsonRpcResponse): void {
    this.send(session, RESPONSE + JSON.stringify(response))
  }

  forwardCancel (session: Session, requestId: RequestId, reason: string): void {
    this.send(session, CANCEL + JSON.stringify({ requestId, reason }))
  }

  /** Shutdown: every held stream is told when to come back (to another instance) and closed. */
  release (retryInterval: number): void {
    for (const feeds of this.feeds.values()) {
      for (const feed of feeds) {
        feed.connection.write(`retry: ${retryInterval}\n\n`)
        feed.connection.end()
      }
    }
  }

  dropSession (session: Session): void {
    this.feeds.delete(session.id)
  }

  /** A message on a session's channel. */
  onSessionMessage (sessionId: string, message: string): void {
    const kind = message[0]
    if (kind === WAKE) {
      const streamId = message.slice(1)
      for (const feed of this.feeds.get(sessionId) ?? []) if (feed.streamId === streamId) feed.wake()
      return
    }
    if (kind === EVENT) {
      const space = message.indexOf(' ')
      const next = message.indexOf(' ', space + 1)
      const streamId = message.slice(1, space)
      const seq = Number(message.slice(space + 1, next))
      const data = message.slice(next + 1)
      for (const feed of this.feeds.get(sessionId) ?? []) if (feed.streamId === streamId) feed.offer(seq, data)
      return
    }
    if (kind === ENDED) {
      this.store.endedElsewhere(sessionId)
      return
    }
    const session = this.context.sessions.get(sessionId)
    if (session === undefined) return
    if (kind === UPDATE) this.store.applyUpdate(session, message)
    else if (kind === RESPONSE) this.context.dispatcher.response(session, JSON.parse(message.slice(1)), true)
    else if (kind === CANCEL) {
      const { requestId, reason } = JSON.parse(message.slice(1)) as { requestId: RequestId, reason: string }
      this.context.dispatcher.cancel(session, requestId, reason)
    }
  }

  /** A message for this instance's listen streams, from another instance. */
  onListenMessage (message: string): void {
    const space = message.indexOf(' ')
    if (message.slice(0, space) === this.instanceId) return
    this.context.listeners.broadcast(JSON.parse(message.slice(space + 1)))
  }

  /** After the bus was away, wake-ups may be lost: every held stream reads its log again. */
  catchUp (): void {
    for (const feeds of this.feeds.values()) for (const feed of feeds) feed.wake()
  }

  private get ttl (): number {
    return this.context.options.sessionTimeout
  }

  private send (session: Session, message: string): void {
    this.bus.publish(this.keys.channel(session.id), message)
      .catch((err: unknown) => this.log.warn({ err, sessionId: session.id }, 'MCP Redis state failed to reach another instance'))
  }

  private async toStandaloneStreams (notification: Notification, uri: string): Promise<number> {
    const data = JSON.stringify({ jsonrpc: '2.0', ...notification })
    const members = await this.guard.run(indexMembers.run(this.client, [this.keys.standaloneSet]) as Promise<string[]>)
    const results = await this.guard.run(Promise.all(members.map((id) => this.eventLog.appendUnrelated(id, data, uri))))
    let delivered = 0
    for (const ok of results) if (ok) delivered++
    return delivered
  }

  private hold (session: Session, reply: FastifyReply, streamId: string, delivered: number, ids: boolean): void {
    this.feed(session, streamId, this.open(session, reply), delivered, ids)
  }

  private open (session: Session, reply: FastifyReply): SseStream {
    const connection = this.context.hub.open(reply, (closed) => {
      session.streams.delete(closed)
      const feeds = this.feeds.get(session.id)
      if (feeds !== undefined) {
        for (const feed of feeds) if (feed.connection === closed) feeds.delete(feed)
        if (feeds.size === 0) this.feeds.delete(session.id)
      }
      session.lastActivity = Date.now()
    })
    session.streams.add(connection)
    return connection
  }

  private feed (session: Session, streamId: string, connection: SseStream, delivered: number, ids: boolean, first: LogEntry[] | null = null): void {
    const feed = new StreamFeed(this.eventLog, session.id, streamId, connection, delivered,
      { ids, retryInterval: this.context.options.retryInterval }, this.log)
    let feeds = this.feeds.get(session.id)
    if (feeds === undefined) this.feeds.set(session.id, feeds = new Set())
    feeds.add(feed)
    feed.start(first)
  }
}
