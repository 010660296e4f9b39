import type { FastifyRequest } from 'fastify'
import type { AuthInfo } from '../../types/index.js'

/**
 * Who a session belongs to: the user the token acts for, or the client when the token
 * names no user. SBP-1125 §Session Hijacking › Mitigation: bind session ids to
 * user-specific information, so an id alone never grants access (item 49).
 */
export function ownerOf (auth: AuthInfo): string {
  return auth.subject ?? auth.clientId
}

/**
 * Whether the request may use a session: always without `auth` (sessions have no owner
 * then); with it, only when its token belongs to the session's owner.
 */
export function mayUseSession (owner: string | undefined, request: FastifyRequest): boolean {
  if (owner === undefined) return true
  const auth = request.mcpAuth
  return auth !== undefined && ownerOf(auth) === owner
}

/** Makes the request's user the owner of the session it just created (a no-op without `auth`). */
export function claimSession (session: { owner: string | undefined }, request: FastifyRequest): void {
  const auth = request.mcpAuth
  if (auth !== undefined) session.owner = ownerOf(auth)
}
