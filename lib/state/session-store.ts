import type { MaybePromise } from '../protocol/dispatcher.js'
import type { Session, SessionField, SessionKind, SessionRecordSink } from '../sessions/session.js'

/**
 * Where session records live beyond this process (design.md "State and scale"): what a
 * session knows (negotiated version, client info and capabilities, log level, resource
 * subscriptions, owner, kind) under a sliding TTL. The memory store keeps nothing: the
 * registry's own Session objects are the records. A shared store lets every instance find
 * and serve every session, with each instance caching the records it has seen.
 */
export interface SessionStore extends SessionRecordSink {
  /** True when other instances may serve the same sessions. */
  readonly shared: boolean
  /** Persists a new session before its id is handed to the client. */
  create (session: Session): MaybePromise<void>
  /** A session this instance does not hold yet, built from its record; undefined when there is none. */
  load (id: string, kind: SessionKind): MaybePromise<Session | undefined>
  /** Saves one changed field of the record; settles (failures are logged) once it is readable. */
  saveField (session: Session, field: SessionField): Promise<void>
  /** Extends the record's TTL (called at most about once a second per session). */
  touch (session: Session): void
  /** The session is over, for every instance: its keys go, other instances are told. */
  end (session: Session): MaybePromise<void>
  /** This instance lets go of a session that lives on elsewhere (shutdown, idle cache entry). */
  release (session: Session): void
}
