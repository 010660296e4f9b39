import type { FastifyBaseLogger, FastifyReply } from 'fastify'
import { FST_MCP_UNKNOWN_EVENT_ID } from '../../errors.js'
import type { JsonRpcResponse, RequestId } from '../../protocol/jsonrpc.js'
import { versionAtLeast } from '../../protocol/versions.js'
import type { Session } from '../../sessions/session.js'
import { MessageStream, parseEventId } from '../../streams/message-stream.js'
import { formatEvent, type SseStream } from '../../streams/sse-stream.js'
import type { Delivery, Notification } from '../delivery.js'
import type { EventStore } from '../event-store.js'
import type { DeliveryContext } from '../state.js'

/**
 * Delivery when every stream, handler and waiting request lives in this process: messages
 * go straight to the stream object, and a resume replays from the event store (the
 * memory default, or the user's own `eventStore`).
 */
export class LocalDelivery implements Delivery {
  private readonly context: DeliveryContext
  private readonly store: EventStore | null

  constructor (context: DeliveryContext) {
    this.context = context
    this.store = context.options.eventStore
  }

  answerStream (session: Session, log: FastifyBaseLogger): MessageStream {
    const stream = new MessageStream({
      sessionId: session.id,
      store: this.store,
      // 2025-11-25 §Sending Messages #6 adds priming events; older clients may choke on an
      // event with empty data, so they get none (as the official SDK does).
      priming: versionAtLeast(session.protocolVersion, '2025-11-25'),
      retryInterval: this.context.options.retryInterval,
      log
    })
    session.messageStreams.set(stream.id, stream)
    return stream
  }

  openStandalone (session: Session, reply: FastifyReply): void {
    const previous = session.standalone
    if (previous instanceof MessageStream) {
      previous.finish()
      session.messageStreams.delete(previous.id)
    }
    const stream = this.answerStream(session, reply.log)
    session.standalone = stream
    stream.attach(this.connect(session, reply, stream), true)
  }

  holdSseStream (session: Session, stream: SseStream): void {
    session.standalone = stream
  }

  /**
   * Resumes the stream a Last-Event-ID names (2025-11-25 transports §Resumability): replays
   * what came after that event on that stream only (never another stream's events), then,
   * if the stream is still live, carries on with it on this connection.
   */
  async resume (session: Session, reply: FastifyReply, lastEventId: string): Promise<void> {
    const parsed = parseEventId(lastEventId)
    const store = this.store
    if (store === null || parsed === null) throw new FST_MCP_UNKNOWN_EVENT_ID(lastEventId)
    const { streamId } = parsed
    // Taken before the replay: a stream that finishes while the store answers still tells
    // (by its seq) what it sent meanwhile, and the loop below catches up on it.
    const live = session.messageStreams.get(streamId)
    let events = await store.replay(session.id, streamId, parsed.seq)
    if (events === null) throw new FST_MCP_UNKNOWN_EVENT_ID(lastEventId)
    const connection = this.connect(session, reply, live)
    let last = parsed.seq
    for (;;) {
      for (const event of events) {
        connection.write(formatEvent({ id: `${streamId}_${event.seq}`, event: 'message', data: event.data }))
        last = event.seq
      }
      // Events may have arrived while the store answered: catch up before going live.
      if (live === undefined || live.seq <= last) break
      const more = await store.replay(session.id, streamId, last)
      if (more === null) break
      events = more
    }
    if (live !== undefined && !live.finished && !connection.closed && live.seq <= last) live.attach(connection, false)
    else connection.end()
  }

  notify (sessionId: string, notification: Notification): boolean {
    return this.context.sessions.notify(sessionId, notification)
  }

  broadcast (notification: Notification): number {
    return this.context.sessions.broadcast(notification) + this.context.listeners.broadcast(notification)
  }

  broadcastSessions (notification: Notification): number {
    return this.context.sessions.broadcast(notification)
  }

  notifySubscribers (uri: string, notification: Notification): number {
    return this.context.sessions.notifySubscribers(uri, notification)
  }

  publish (notification: Notification): number {
    return this.context.listeners.broadcast(notification)
  }

  // In one process a response or cancellation nobody here waits for has no one to go to:
  // it is the race the spec allows for (the request already finished).
  forwardResponse (_session: Session, _response: JsonRpcResponse): void {}

  forwardCancel (_session: Session, _requestId: RequestId, _reason: string): void {}

  /** Shutdown: standalone streams get a `retry` (come back, maybe to another instance) and end. */
  release (retryInterval: number): void {
    for (const session of this.context.sessions.values()) {
      const standalone = session.standalone
      if (standalone instanceof MessageStream) {
        standalone.release(retryInterval)
        session.standalone = null
      }
    }
  }

  // Nothing is kept per session here beyond the Session itself and the event store.
  dropSession (_session: Session): void {}

  private connect (session: Session, reply: FastifyReply, stream: MessageStream | undefined): SseStream {
    const connection = this.context.hub.open(reply, (closed) => {
      session.streams.delete(closed)
      stream?.detach(closed)
      session.lastActivity = Date.now()
    })
    session.streams.add(connection)
    return connection
  }
}
