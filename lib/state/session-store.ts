import type { MaybePromise } from '../protocol/dispatcher.js'
import type { Session, SessionField, SessionKind, SessionRecordSink } from '../sessions/session.js'

/**
 * Where session records live beyond this process (design.md "State and scale"): what a
 * session knows (negotiated version, client info and capabilities, log level, resource
 * subscriptions, owner, kind) under a sliding TTL, so that every instance finds and serves
 * every session, each caching the records it has seen. The memory state has none: the
 * registry's own Session objects are the records.
 */
export interface SessionStore extends SessionRecordSink {
  /** Persists a new session before its id is handed to the client. */
  create (session: Session): MaybePromise<void>
  /** A session this instance does not hold yet, built from its record; undefined when there is none. */
  load (id: string, kind: SessionKind): MaybePromise<Session | undefined>
  /** Saves one changed field of the record; settles (failures are logged) once it is readable. */
  saveField (session: Session, field: SessionField): Promise<void>
  /**
   * Adds or removes one resource subscription of the record; settles (failures are logged)
   * once it is readable. A change, not the whole set: another instance's copy of the
   * session may hold an older set.
   */
  saveSubscription (session: Session, uri: string, subscribed: boolean): Promise<void>
  /** Extends the record's TTL (called at most about once a second per session). */
  touch (session: Session): void
  /** The session is over, for every instance: its keys go, other instances are told. */
  end (session: Session): MaybePromise<void>
  /** This instance lets go of a session that lives on elsewhere (shutdown, idle cache entry). */
  release (session: Session): void
}
