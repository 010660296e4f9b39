import type { FastifyRequest } from 'fastify'
import {
  FST_MCP_SESSION_NOT_FOUND,
  FST_MCP_SESSION_REQUIRED,
  FST_MCP_UNSUPPORTED_VERSION
} from '../errors.js'
import { LEGACY_VERSIONS, isSupportedVersion } from '../protocol/versions.js'
import { mayUseSession } from '../auth/session-owner.js'
import type { MaybePromise } from '../protocol/dispatcher.js'
import type { Session, SessionKind } from './session.js'
import type { SessionRegistry } from './session-registry.js'

const supportedList = LEGACY_VERSIONS.join(', ')

/**
 * The session a request belongs to. 2025-11-25 transports §Session Management: no id →
 * 400; an unknown or ended id → 404, which tells the client to initialize again (never a
 * new session in its place). §Protocol Version Header: an unsupported MCP-Protocol-Version
 * → 400. A session of the other transport is not found here: its messages would have
 * nowhere to go. With `auth`, neither is another identity's session: 404 as for an unknown
 * id, so ids cannot be probed (SBP-1125 §Session Hijacking). Synchronous for a session this
 * instance knows; with a shared state, a miss waits for the record.
 */
export function requireSession (request: FastifyRequest, registry: SessionRegistry, id = request.headers['mcp-session-id'], kind: SessionKind = 'streamable'): MaybePromise<Session> {
  if (typeof id !== 'string' || id === '') throw new FST_MCP_SESSION_REQUIRED()
  const found = registry.find(id, kind)
  if (found instanceof Promise) return found.then((session) => admit(request, registry, session, kind))
  return admit(request, registry, found, kind)
}

function admit (request: FastifyRequest, registry: SessionRegistry, session: Session | undefined, kind: SessionKind): Session {
  if (session === undefined || session.kind !== kind || !mayUseSession(session.owner, request)) throw new FST_MCP_SESSION_NOT_FOUND()
  const version = request.headers['mcp-protocol-version']
  if (version !== undefined && !isSupportedVersion(version as string)) {
    throw new FST_MCP_UNSUPPORTED_VERSION(String(version), supportedList)
  }
  registry.touch(session)
  return session
}
