import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  FST_MCP_ALREADY_INITIALIZED,
  FST_MCP_BATCH_REJECTED,
  FST_MCP_METHOD_NOT_ALLOWED,
  FST_MCP_NOT_ACCEPTABLE,
  FST_MCP_SHUTTING_DOWN
} from '../errors.js'
import { assertPostAccept, accepts } from '../guard/accept-guard.js'
import {
  isNotification,
  isRequest,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse
} from '../protocol/jsonrpc.js'
import { Envelope, typeboxValidatorCompiler } from '../protocol/envelope-schema.js'
import { allowsBatch } from '../protocol/versions.js'
import { recordClientHello, recordServerHello } from '../sessions/session-handshake.js'
import { requireSession } from '../sessions/session-lookup.js'
import type { Session } from '../sessions/session.js'
import type { Transport } from '../transport.js'
import { PostResponse, type PostOutcome } from './post-response.js'

const ALLOW = 'GET, POST, DELETE'

/**
 * The Streamable HTTP endpoint (2025-11-25 transports §Streamable HTTP): POST for every
 * client message, GET for the session's standalone stream, DELETE to end the session.
 */
export function streamableRoutes (fastify: FastifyInstance, transport: Transport): void {
  const { options, sessions, hub, dispatcher } = transport
  const mode = options.responseMode
  const needJson = mode !== 'sse'
  const needSse = mode !== 'json'

  function answer (reply: FastifyReply, outcome: PostOutcome): FastifyReply | JsonRpcResponse | JsonRpcResponse[] {
    if ('json' in outcome) {
      reply.type('application/json')
      return outcome.json
    }
    return reply
  }

  async function initialize (request: FastifyRequest, reply: FastifyReply, message: JsonRpcRequest) {
    const existing = request.headers['mcp-session-id']
    if (typeof existing === 'string' && sessions.has(existing)) throw new FST_MCP_ALREADY_INITIALIZED()
    if (transport.closing) throw new FST_MCP_SHUTTING_DOWN()
    const session = sessions.create()
    recordClientHello(session, message.params ?? {})
    reply.header('mcp-session-id', session.id)
    const channel = new PostResponse(reply, session, hub, mode, 1, false)
    const response = await dispatcher.run(session, message, channel, request.log)
    if (response === null || 'error' in response) {
      // A failed initialize leaves no session behind for the client to reuse.
      sessions.close(session.id)
      reply.removeHeader('mcp-session-id')
    } else {
      recordServerHello(session, response)
    }
    if (response === null) channel.abandon()
    else channel.respond(response)
    return answer(reply, await channel.outcome)
  }

  async function batch (request: FastifyRequest, reply: FastifyReply, messages: JsonRpcMessage[]) {
    // 2025-03-26 lifecycle §Initialization: initialize MUST NOT be part of a batch.
    if (messages.some((m) => isRequest(m) && m.method === 'initialize')) {
      throw new FST_MCP_BATCH_REJECTED('initialize must be sent alone, not in a batch')
    }
    const session = requireSession(request, sessions)
    // Batching exists only in 2025-03-26 (removed by 2025-06-18, changelog #1).
    if (!allowsBatch(session.protocolVersion)) {
      throw new FST_MCP_BATCH_REJECTED(`batches are not part of protocol version ${session.protocolVersion}; send one message per POST`)
    }
    const requests: JsonRpcRequest[] = []
    for (const message of messages) {
      if (isRequest(message)) requests.push(message)
      else if (isNotification(message)) dispatcher.notification(session, message, request.log)
      else dispatcher.response(session, message)
    }
    if (requests.length === 0) return reply.code(202).send()
    const channel = new PostResponse(reply, session, hub, mode, requests.length, true)
    for (const message of requests) void dispatcher.request(session, message, channel, request.log)
    return answer(reply, await channel.outcome)
  }

  fastify.route({
    method: 'POST',
    url: options.path,
    bodyLimit: options.bodyLimit,
    schema: { body: Envelope },
    validatorCompiler: typeboxValidatorCompiler,
    handler: async function mcpPost (request, reply) {
      const body = request.body as JsonRpcMessage | JsonRpcMessage[]
      if (Array.isArray(body)) {
        assertPostAccept(request.headers.accept, needJson, needSse)
        return batch(request, reply, body)
      }
      if (isRequest(body)) {
        assertPostAccept(request.headers.accept, needJson, needSse)
        if (body.method === 'initialize') return initialize(request, reply, body)
        const session = requireSession(request, sessions)
        const channel = new PostResponse(reply, session, hub, mode, 1, false)
        void dispatcher.request(session, body, channel, request.log)
        return answer(reply, await channel.outcome)
      }
      const session = requireSession(request, sessions)
      // 2025-11-25 transports §Sending Messages #4: accepted notifications and responses get 202.
      if (isNotification(body)) dispatcher.notification(session, body, request.log)
      else dispatcher.response(session, body)
      return reply.code(202).send()
    }
  })

  fastify.get(options.path, function mcpGet (request, reply) {
    // 2025-11-25 transports §Listening for Messages #2: the client must accept SSE.
    if (!accepts(request.headers.accept, 'text/event-stream')) throw new FST_MCP_NOT_ACCEPTABLE('text/event-stream')
    const session = requireSession(request, sessions)
    openStandalone(transport, session, reply)
    return reply
  })

  fastify.delete(options.path, function mcpDelete (request, reply) {
    const session = requireSession(request, sessions)
    sessions.close(session.id)
    reply.code(200).send()
  })

  fastify.route({
    method: ['PUT', 'PATCH'],
    url: options.path,
    handler: function mcpOtherMethods (_request, reply) {
      reply.header('allow', ALLOW)
      throw new FST_MCP_METHOD_NOT_ALLOWED(ALLOW)
    }
  })
}

/**
 * Opens the session's standalone stream. A new GET replaces the old stream instead of
 * being refused: a connection a proxy silently dropped must not lock the session out.
 */
export function openStandalone (transport: Transport, session: Session, reply: FastifyReply): void {
  session.standalone?.end()
  const stream = transport.hub.open(reply, (closed) => {
    session.streams.delete(closed)
    if (session.standalone === closed) session.standalone = null
    session.lastActivity = Date.now()
  })
  session.standalone = stream
  session.streams.add(stream)
}
