import type { FastifyBaseLogger, FastifyReply } from 'fastify'
import type { JsonRpcNotification, JsonRpcResponse, RequestId } from '../protocol/jsonrpc.js'
import type { MaybePromise } from '../protocol/dispatcher.js'
import type { Session } from '../sessions/session.js'
import type { MessageStream } from '../streams/message-stream.js'
import type { SseStream } from '../streams/sse-stream.js'

export type Notification = Omit<JsonRpcNotification, 'jsonrpc'>

/**
 * How messages reach the streams that carry them, and the one place that knows whether a
 * stream, a waiting handler or a running request is in this process or on another
 * instance (design.md "Outbound routing" and "State and scale"). The HTTP routes open and
 * resume streams through it and never talk to an event store or a bus themselves.
 */
export interface Delivery {
  /** A new logical stream answering one POST of `session` (resumable with an event log). */
  answerStream (session: Session, log: FastifyBaseLogger): MessageStream
  /**
   * Makes this connection the session's one standalone stream, replacing any other (on any
   * instance): a connection a proxy silently dropped must not lock the session out.
   */
  openStandalone (session: Session, reply: FastifyReply): MaybePromise<void>
  /**
   * The HTTP+SSE transport's one stream for its session, held by this instance: the
   * session's responses and unrelated messages, from whichever instance, are written to it.
   */
  holdSseStream (session: Session, stream: SseStream): void
  /** Replays what followed `lastEventId` on its stream, then carries on live if the stream is. */
  resume (session: Session, reply: FastifyReply, lastEventId: string): Promise<void>
  /** An unrelated message for the session's standalone stream; false when it has none. */
  notify (sessionId: string, notification: Notification): MaybePromise<boolean>
  /** To every session's standalone stream and every listen stream; how many took it. */
  broadcast (notification: Notification): MaybePromise<number>
  /** To every session's standalone stream only (`fastify.mcpSessions.broadcast`). */
  broadcastSessions (notification: Notification): MaybePromise<number>
  /** To the standalone stream of every session subscribed to `uri`. */
  notifySubscribers (uri: string, notification: Notification): MaybePromise<number>
  /** To every subscriptions/listen stream (2026-07-28) that asked for it. */
  publish (notification: Notification): MaybePromise<number>
  /** A client's answer to a server-to-client request that no handler here waits for. */
  forwardResponse (session: Session, response: JsonRpcResponse): void
  /** notifications/cancelled for a request that is not running here. */
  forwardCancel (session: Session, requestId: RequestId, reason: string): void
  /** Shutdown: the streams this instance holds are ended with a `retry` for the client. */
  release (retryInterval: number): void
  /** The session is no longer served here: whatever delivery kept for it goes. */
  dropSession (session: Session): void
}
