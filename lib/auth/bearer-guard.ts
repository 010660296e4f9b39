import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AuthInfo } from '../../types/index.js'
import {
  FST_MCP_INSUFFICIENT_SCOPE,
  FST_MCP_INVALID_AUTH_REQUEST,
  FST_MCP_INVALID_TOKEN,
  FST_MCP_UNAUTHORIZED
} from '../errors.js'
import type { ResolvedAuth } from './auth-options.js'
import { comparableResource } from './resource-metadata.js'
import { credentialsChallenge, errorChallenge } from './www-authenticate.js'

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/
// Space-separated RFC 6749 §3.3 scope-tokens: what may go in a challenge's scope="…".
const SCOPE_LIST = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/

const MALFORMED = 'The Authorization header is not Bearer followed by a token'
const IN_QUERY = 'Access tokens are not accepted in the query string'
const INVALID = 'The access token is invalid'
const EXPIRED = 'The access token expired'
const OTHER_AUDIENCE = 'The access token was issued for another resource'
const NO_SCOPE = 'The access token lacks a scope this request needs'

/** The challenge's error_description as the body's message continues it: 'Unauthorized: the access token…'. */
function continued (description: string): string {
  return description[0].toLowerCase() + description.slice(1)
}

function refuse (reply: FastifyReply, challenge: string, error: Error): never {
  // Set before the error handler renders the body: it keeps the reply's headers.
  reply.header('www-authenticate', challenge)
  throw error
}

/**
 * The onRequest hook of the MCP routes when the `auth` option is set: every request
 * (Streamable HTTP, HTTP+SSE, the deprecated paths; not health, not CORS preflights)
 * carries a bearer token that auth.verifyToken accepts, for this server, with the required
 * scopes. Each request is authenticated on its own, never "the session" (2025-11-25
 * authorization §Token Requirements; SBP-1125 §Session Hijacking).
 */
export function createBearerGuard (auth: ResolvedAuth) {
  const { verifyToken, audience, requiredScopes, metadataUrl, scope } = auth
  const noCredentials = credentialsChallenge(metadataUrl, scope)
  const malformed = errorChallenge('invalid_request', MALFORMED, metadataUrl, '')
  const inQuery = errorChallenge('invalid_request', IN_QUERY, metadataUrl, '')
  const invalid = errorChallenge('invalid_token', INVALID, metadataUrl, scope)
  const expired = errorChallenge('invalid_token', EXPIRED, metadataUrl, scope)
  const otherAudience = errorChallenge('invalid_token', OTHER_AUDIENCE, metadataUrl, scope)
  const noScope = errorChallenge('insufficient_scope', NO_SCOPE, metadataUrl, scope)

  async function verify (token: string, request: FastifyRequest, reply: FastifyReply): Promise<AuthInfo> {
    try {
      return await verifyToken(token, request)
    } catch (err) {
      if (err instanceof FST_MCP_INSUFFICIENT_SCOPE) {
        const needed = SCOPE_LIST.test(err.scope) ? err.scope : scope
        refuse(reply, errorChallenge('insufficient_scope', NO_SCOPE, metadataUrl, needed), err)
      }
      // The reason stays in the log: it may quote the token or the verifier's internals.
      request.log.debug({ err }, 'MCP access token refused by auth.verifyToken')
      refuse(reply, invalid, new FST_MCP_INVALID_TOKEN(continued(INVALID)))
    }
  }

  return async function bearerGuard (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    // A CORS preflight never carries credentials (Fetch standard). @fastify/cors answers it
    // in its own hook, or, with preflightContinue, in its OPTIONS route after this one.
    if (request.method === 'OPTIONS') return
    // 2025-11-25 authorization §Token Requirements: access tokens MUST NOT be in the URI
    // query string (RFC 6750 §2.3 would otherwise allow access_token there).
    if ((request.query as Record<string, unknown>).access_token !== undefined) {
      refuse(reply, inQuery, new FST_MCP_INVALID_AUTH_REQUEST(continued(IN_QUERY)))
    }
    const header = request.headers.authorization ?? ''
    const space = header.indexOf(' ')
    const scheme = space === -1 ? header : header.slice(0, space)
    // No credentials for this scheme: 401 without an error code (RFC 6750 §3.1).
    if (scheme.toLowerCase() !== 'bearer') refuse(reply, noCredentials, new FST_MCP_UNAUTHORIZED())
    const token = space === -1 ? '' : header.slice(space + 1).trimStart()
    if (!B64TOKEN.test(token)) refuse(reply, malformed, new FST_MCP_INVALID_AUTH_REQUEST(continued(MALFORMED)))
    const info = await verify(token, request, reply)
    if (info === null || typeof info !== 'object' || typeof info.clientId !== 'string' || !Array.isArray(info.scopes)) {
      // A bug in the verifier, not the client's fault: 500, and the details in the log.
      throw new TypeError('auth.verifyToken must return an AuthInfo ({ token, clientId, scopes }) or throw')
    }
    // Checked here too, so a verifier that forgot cannot let an expired token through
    // (2025-11-25 authorization §Token Handling: invalid or expired tokens get 401). NaN
    // counts as expired.
    if (info.expiresAt !== undefined && !(info.expiresAt * 1000 > Date.now())) {
      refuse(reply, expired, new FST_MCP_INVALID_TOKEN(continued(EXPIRED)))
    }
    // §Token Audience Binding and Validation: a token issued for another resource is never
    // accepted, nor passed through (RFC 8707).
    if (info.resource !== undefined && comparableResource(String(info.resource)) !== audience) {
      refuse(reply, otherAudience, new FST_MCP_INVALID_TOKEN(continued(OTHER_AUDIENCE)))
    }
    // §Runtime Insufficient Scope Errors: 403 with the scopes the request needs.
    for (const required of requiredScopes) {
      if (!info.scopes.includes(required)) refuse(reply, noScope, new FST_MCP_INSUFFICIENT_SCOPE(scope))
    }
    request.mcpAuth = info
  }
}
