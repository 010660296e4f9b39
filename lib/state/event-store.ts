/**
 * Where SSE events are kept so a client can resume a stream with Last-Event-ID
 * (2025-11-25 transports §Resumability and Redelivery). Events are kept per stream; the
 * transport gives every event a sequence number within its stream and an id of the form
 * `<streamId>_<seq>`, so an id always names the one stream it may be replayed on.
 */
export interface StoredEvent {
  seq: number
  /** The serialized JSON-RPC message; '' for a priming event (never replayed). */
  data: string
}

export interface EventStore {
  append (sessionId: string, streamId: string, seq: number, data: string): void | Promise<void>
  /**
   * The events of one stream after `afterSeq`, oldest first and without priming events
   * (a stream's first event, which carries nothing), or null when the stream is unknown or
   * some of those events are no longer kept.
   */
  replay (sessionId: string, streamId: string, afterSeq: number): StoredEvent[] | null | Promise<StoredEvent[] | null>
  /** Forgets every stream of a session; called when the session ends. */
  dropSession (sessionId: string): void | Promise<void>
}
