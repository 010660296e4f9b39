import type { FastifyInstance, FastifyRequest } from 'fastify'
import { FST_MCP_SESSION_ID_MISMATCH } from '../errors.js'
import { requireSession } from '../sessions/session-lookup.js'
import type { Session } from '../sessions/session.js'
import type { Transport } from '../transport.js'
import { endSession, serveGet } from './streamable-routes.js'
import type { MaybePromise } from '../protocol/dispatcher.js'
import { refuseOtherMethods } from './method-not-allowed.js'

// A wildcard, not a :sessionId parameter: Fastify's router answers a parameter longer than
// maxParamLength (100) with its own non-JSON-RPC 414 before any route runs (issue 13 #4).
interface SessionParams { '*': string }
type SessionRequest = FastifyRequest<{ Params: SessionParams }>

/**
 * The original design's session paths, kept for anyone who used them: the session id in
 * the path instead of the Mcp-Session-Id header, and otherwise exactly GET and DELETE on
 * the MCP endpoint. They sit in the same context, so the Origin/Host guard already ran;
 * the id then goes through the same lookup (404, MCP-Protocol-Version) as a header id.
 */
export function deprecatedRoutes (fastify: FastifyInstance, transport: Transport): void {
  const { options, sessions } = transport
  const base = options.path.replace(/\/+$/, '')

  function sessionFromPath (request: SessionRequest): MaybePromise<Session> {
    // `/mcp/sse/<id>/` is `/mcp/sse/<id>`, as `/mcp/` is `/mcp`.
    const id = request.params['*'].replace(/\/$/, '')
    const header = request.headers['mcp-session-id']
    // Two ids would let a check that reads the header (a hook, a proxy rule) approve one
    // session while this route acts on another.
    if (header !== undefined && header !== id) throw new FST_MCP_SESSION_ID_MISMATCH()
    return requireSession(request, sessions, id)
  }

  fastify.route<{ Params: SessionParams }>({
    method: 'GET',
    url: `${base}/sse/*`,
    // A HEAD would replace the session's stream with one that carries nothing.
    exposeHeadRoute: false,
    handler: async function deprecatedSessionStream (request, reply) {
      await serveGet(transport, request, reply, (r: FastifyRequest) => sessionFromPath(r as SessionRequest))
      return reply
    }
  })

  fastify.delete<{ Params: SessionParams }>(`${base}/sessions/*`, async function deprecatedSessionDelete (request, reply) {
    await endSession(transport, await sessionFromPath(request))
    return reply.code(200).send()
  })
  refuseOtherMethods(fastify, `${base}/sse/*`, ['GET'], options)
  refuseOtherMethods(fastify, `${base}/sessions/*`, ['DELETE'], options)
}
