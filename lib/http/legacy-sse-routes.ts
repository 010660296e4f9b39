import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  FST_MCP_BATCH_REJECTED,
  FST_MCP_NOT_ACCEPTABLE,
  FST_MCP_SESSION_BUSY,
  FST_MCP_SHUTTING_DOWN,
  FST_MCP_SSE_ALREADY_INITIALIZED,
  FST_MCP_SSE_SESSION_REQUIRED
} from '../errors.js'
import { accepts } from '../guard/accept-guard.js'
import { refuseOtherMethods } from './method-not-allowed.js'
import { Envelope, typeboxValidatorCompiler } from '../protocol/envelope-schema.js'
import { isNotification, isRequest, type JsonRpcMessage, type JsonRpcRequest } from '../protocol/jsonrpc.js'
import { SseSessionChannel } from '../protocol/sse-session-channel.js'
import { recordClientHello, recordServerHello } from '../sessions/session-handshake.js'
import { requireSession } from '../sessions/session-lookup.js'
import { claimSession } from '../auth/session-owner.js'
import type { AuthInfo } from '../../types/index.js'
import type { Session } from '../sessions/session.js'
import type { Transport } from '../transport.js'


/**
 * The deprecated HTTP+SSE transport (2024-11-05 transports §HTTP with SSE), kept for older
 * clients and for mcp-remote's fallback. GET /sse opens the session's one stream and names
 * the POST endpoint in its first event; POST /messages?sessionId= carries every client
 * message and answers 202, while responses travel on the stream. The sessions are the same
 * registry's as the Streamable HTTP endpoint's: one server, two transports.
 */
export function legacySseRoutes (fastify: FastifyInstance, transport: Transport): void {
  const { options, sessions, hub, dispatcher } = transport
  // Relative to the host, with the prefix the routes are registered under, as the SDK's
  // SSEServerTransport sends it; clients resolve it against the GET's URL.
  const messagesPath = `${fastify.prefix}/messages`

  fastify.route({
    method: 'GET',
    url: '/sse',
    // A HEAD would open a session whose stream nobody can read.
    exposeHeadRoute: false,
    handler: async function legacySseOpen (request, reply) {
      if (!accepts(request.headers.accept, 'text/event-stream')) throw new FST_MCP_NOT_ACCEPTABLE('text/event-stream')
      if (transport.closing) throw new FST_MCP_SHUTTING_DOWN()
      const session = sessions.create('sse')
      // SBP-1125 §Session Hijacking: POSTs for this session need a token of the same identity.
      claimSession(session, request)
      try {
        // Shared state: the record exists before the client learns the id (its POSTs may
        // land on any instance).
        await sessions.persist(session)
      } catch (err) {
        sessions.close(session.id)
        throw err
      }
      const stream = hub.open(reply, function legacySseClosed () {
        // The stream is the session in this transport: a client that went away ends it.
        sessions.close(session.id)
      })
      // As the session's standalone stream it also receives mcpSessions.notify/broadcast
      // (and, with a shared state, what other instances send it).
      transport.delivery.holdSseStream(session, stream)
      session.streams.add(stream)
      // 2024-11-05 §HTTP with SSE: on connect the server MUST send an `endpoint` event first.
      stream.event({ event: 'endpoint', data: `${messagesPath}?sessionId=${encodeURIComponent(session.id)}` })
      return reply
    }
  })

  // 2025-11-25 transports §Backwards Compatibility: a client POSTs initialize to the URL it
  // was given and falls back to GET on 400/404/405; mcp-remote only on 404/405.
  refuseOtherMethods(fastify, '/sse', ['GET'], options)

  fastify.route({
    method: 'POST',
    url: '/messages',
    bodyLimit: options.bodyLimit,
    schema: { body: Envelope },
    validatorCompiler: typeboxValidatorCompiler,
    handler: function legacySseMessage (request, reply) {
      const id = (request.query as { sessionId?: unknown }).sessionId
      if (typeof id !== 'string' || id === '') throw new FST_MCP_SSE_SESSION_REQUIRED()
      // A Streamable HTTP session is not found here: its responses would have no stream.
      const session = requireSession(request, sessions, id, 'sse')
      if (session instanceof Promise) return session.then((found) => message(request, reply, found))
      return message(request, reply, session)
    }
  })

  refuseOtherMethods(fastify, '/messages', ['POST'], options)

  function message (request: FastifyRequest, reply: FastifyReply, session: Session): FastifyReply | Promise<FastifyReply> {
    // In this transport the session's one stream is its standalone stream, set at GET
    // (or, on another instance than the one holding it, the way there).
    const channel = new SseSessionChannel(session.standalone!, request)
    const body = request.body as JsonRpcMessage | JsonRpcMessage[]
    // JSON-RPC batches are not part of this transport (the SDK's SSEServerTransport
    // rejects them too); their responses would have no single place on the stream.
    if (Array.isArray(body)) throw new FST_MCP_BATCH_REJECTED('the HTTP+SSE transport takes one message per POST')
    if (isRequest(body)) {
      // The same per-session bound as the Streamable HTTP endpoint (503: retry later).
      if (session.inflight.size >= options.maxRequestsPerSession) {
        throw new FST_MCP_SESSION_BUSY(options.maxRequestsPerSession, 'requests in flight')
      }
      const gate = transport.gate
      if (body.method === 'initialize') initialize(session, body, channel, request.log, request.mcpAuth)
      else if (gate !== null && gate.guards(body)) {
        // Refused on the POST itself (403, 429): its answer is not on the stream yet.
        return gate.pass(body, request, reply, () => {
          void dispatcher.request(session, body, channel, request.log, request.mcpAuth, request.headers)
          return reply.code(202).send()
        })
      } else void dispatcher.request(session, body, channel, request.log, request.mcpAuth, request.headers)
    } else if (isNotification(body)) {
      dispatcher.notification(session, body, request.log, request.mcpAuth)
    } else {
      dispatcher.response(session, body)
    }
    return reply.code(202).send()
  }

  function initialize (session: Session, message: JsonRpcRequest, channel: SseSessionChannel, log: FastifyBaseLogger, authInfo: AuthInfo | undefined): void {
    // Here the session exists from the GET on; initialize fills it in, once.
    if (session.protocolVersion !== '') throw new FST_MCP_SSE_ALREADY_INITIALIZED()
    recordClientHello(session, message.params ?? {})
    session.changed('hello')
    void handshake(session, message, channel, log, authInfo)
  }

  async function handshake (session: Session, message: JsonRpcRequest, channel: SseSessionChannel, log: FastifyBaseLogger, authInfo: AuthInfo | undefined): Promise<void> {
    const response = await dispatcher.run(session, message, channel, log, authInfo)
    if (response !== null) {
      recordServerHello(session, response)
      session.changed('hello')
      channel.respond(response)
    }
    // A failed or cancelled initialize leaves no session behind, as on the Streamable HTTP
    // endpoint; ending the session ends its stream after the error response.
    if (response === null || 'error' in response) sessions.close(session.id)
  }
}
