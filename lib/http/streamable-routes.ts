import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  FST_MCP_ALREADY_INITIALIZED,
  FST_MCP_BATCH_REJECTED,
  FST_MCP_NOT_ACCEPTABLE,
  FST_MCP_SESSION_BUSY,
  FST_MCP_SHUTTING_DOWN
} from '../errors.js'
import { assertPostAccept, accepts } from '../guard/accept-guard.js'
import {
  isNotification,
  isRequest,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse
} from '../protocol/jsonrpc.js'
import { Envelope, typeboxValidatorCompiler } from '../protocol/envelope-schema.js'
import { allowsBatch } from '../protocol/versions.js'
import { recordClientHello, recordServerHello } from '../sessions/session-handshake.js'
import { requireSession } from '../sessions/session-lookup.js'
import { claimSession, mayUseSession } from '../auth/session-owner.js'
import type { Session } from '../sessions/session.js'
import type { Transport } from '../transport.js'
import { isModernMessage, refuseModernBodyless } from '../modern/era.js'
import { modernPost } from '../modern/modern-post.js'
import { PostResponse, type PostOutcome } from './post-response.js'
import { refuseOtherMethods } from './method-not-allowed.js'
import type { MaybePromise } from '../protocol/dispatcher.js'

const ALLOWED = ['GET', 'POST', 'DELETE']

/**
 * The Streamable HTTP endpoint (2025-11-25 transports §Streamable HTTP): POST for every
 * client message, GET for the session's standalone stream, DELETE to end the session.
 */
export function streamableRoutes (fastify: FastifyInstance, transport: Transport): void {
  const { options, sessions, dispatcher } = transport
  const mode = options.responseMode
  const needJson = mode !== 'sse'
  const needSse = mode !== 'json'

  function answer (reply: FastifyReply, outcome: PostOutcome): FastifyReply | JsonRpcResponse | JsonRpcResponse[] {
    // Fastify sends an object as application/json itself.
    if ('json' in outcome) return outcome.json
    return reply
  }

  /** Sends one request's response (null: cancelled) on its POST's answer. */
  function deliver (reply: FastifyReply, channel: PostResponse, response: JsonRpcResponse | null): MaybePromise<FastifyReply | JsonRpcResponse | JsonRpcResponse[]> {
    if (response !== null && channel.answersDirectly()) return response
    if (response === null) channel.abandon()
    else channel.respond(response)
    return channel.outcome.then((outcome) => answer(reply, outcome))
  }

  async function initialize (request: FastifyRequest, reply: FastifyReply, message: JsonRpcRequest) {
    const id = request.headers['mcp-session-id']
    const existing = typeof id === 'string' && id !== '' ? await sessions.find(id, 'streamable') : undefined
    // Another identity's session is as good as unknown here too: no probing of ids.
    if (existing !== undefined && mayUseSession(existing.owner, request)) throw new FST_MCP_ALREADY_INITIALIZED()
    if (transport.closing) throw new FST_MCP_SHUTTING_DOWN()
    const session = sessions.create()
    // SBP-1125 §Session Hijacking: the session belongs to whoever's token created it.
    claimSession(session, request)
    recordClientHello(session, message.params ?? {})
    reply.header('mcp-session-id', session.id)
    const channel = new PostResponse(transport, reply, session, 1, false)
    const response = await dispatcher.run(session, message, channel, request.log, request.mcpAuth, request.headers)
    if (response === null || 'error' in response) {
      // A failed initialize leaves no session behind for the client to reuse.
      sessions.close(session.id)
      reply.removeHeader('mcp-session-id')
    } else {
      recordServerHello(session, response)
      // Shared state: the record exists before the client learns the id, so its next
      // request may land on any instance.
      try {
        await sessions.persist(session)
      } catch (err) {
        sessions.close(session.id)
        reply.removeHeader('mcp-session-id')
        throw err
      }
    }
    return deliver(reply, channel, response)
  }

  async function batch (request: FastifyRequest, reply: FastifyReply, messages: JsonRpcMessage[]) {
    // 2025-03-26 lifecycle §Initialization: initialize MUST NOT be part of a batch.
    if (messages.some((m) => isRequest(m) && m.method === 'initialize')) {
      throw new FST_MCP_BATCH_REJECTED('initialize must be sent alone, not in a batch')
    }
    const session = await requireSession(request, sessions)
    // Batching exists only in 2025-03-26 (removed by 2025-06-18, changelog #1).
    if (!allowsBatch(session.protocolVersion)) {
      throw new FST_MCP_BATCH_REJECTED(`batches are not part of protocol version ${session.protocolVersion}; send one message per POST`)
    }
    const requests: JsonRpcRequest[] = []
    for (const message of messages) {
      if (isRequest(message)) requests.push(message)
    }
    assertRoom(session, requests.length)
    for (const message of messages) {
      if (isRequest(message)) continue
      else if (isNotification(message)) dispatcher.notification(session, message, request.log, request.mcpAuth)
      else dispatcher.response(session, message)
    }
    if (requests.length === 0) return reply.code(202).send()
    const channel = new PostResponse(transport, reply, session, requests.length, true)
    const gate = transport.gate
    for (const message of requests) {
      // 2025-03-26 batches: every call is checked and counted on its own (500 calls, 500
      // counts); a refused one gets its JSON-RPC error, the others run.
      const admitted = gate === null || !gate.guards(message) ? null : gate.admit(message, request)
      if (admitted === null) void dispatcher.request(session, message, channel, request.log, request.mcpAuth, request.headers)
      else if (admitted instanceof Promise) {
        void admitted.then((refusal) => {
          if (refusal === null) void dispatcher.request(session, message, channel, request.log, request.mcpAuth, request.headers)
          else channel.respond(gate!.response(message, refusal))
        })
      } else channel.respond(gate!.response(message, admitted))
    }
    return answer(reply, await channel.outcome)
  }

  fastify.route({
    method: 'POST',
    url: options.path,
    bodyLimit: options.bodyLimit,
    schema: { body: Envelope },
    validatorCompiler: typeboxValidatorCompiler,
    // Not async: a request whose handler answered synchronously is answered without any
    // promise; every other path returns one.
    handler: function mcpPost (request, reply) {
      const body = request.body as JsonRpcMessage | JsonRpcMessage[]
      if (Array.isArray(body)) {
        assertPostAccept(request.headers.accept, needJson, needSse)
        return batch(request, reply, body)
      }
      // 2026-07-28 versioning §Backward Compatibility: the era is decided once, here; a
      // modern message is served statelessly and never touches the session machinery.
      if (isModernMessage(request.headers, body)) return modernPost(transport, request, reply, body as JsonRpcRequest | JsonRpcNotification)
      if (isRequest(body)) {
        assertPostAccept(request.headers.accept, needJson, needSse)
        if (body.method === 'initialize') return initialize(request, reply, body)
        const session = requireSession(request, sessions)
        if (session instanceof Promise) return session.then((found) => call(request, reply, found, body))
        return call(request, reply, session, body)
      }
      const session = requireSession(request, sessions)
      if (session instanceof Promise) return session.then((found) => accept(request, reply, found, body))
      return accept(request, reply, session, body)
    }
  })

  function call (request: FastifyRequest, reply: FastifyReply, session: Session, body: JsonRpcRequest): MaybePromise<FastifyReply | JsonRpcResponse | JsonRpcResponse[]> {
    assertRoom(session, 1)
    // Checked before the answer is chosen, so a refused call gets its own status.
    const gate = transport.gate
    if (gate !== null && gate.guards(body)) return gate.pass(body, request, reply, () => run(request, reply, session, body))
    return run(request, reply, session, body)
  }

  function run (request: FastifyRequest, reply: FastifyReply, session: Session, body: JsonRpcRequest): MaybePromise<FastifyReply | JsonRpcResponse | JsonRpcResponse[]> {
    const channel = new PostResponse(transport, reply, session, 1, false)
    // request.mcpAuth is undefined without the auth option: nothing is built for it.
    const response = dispatcher.run(session, body, channel, request.log, request.mcpAuth, request.headers)
    if (response instanceof Promise) return response.then((settled) => deliver(reply, channel, settled))
    return deliver(reply, channel, response)
  }

  // 2025-11-25 transports §Sending Messages #4: accepted notifications and responses get 202.
  function accept (request: FastifyRequest, reply: FastifyReply, session: Session, body: JsonRpcNotification | JsonRpcResponse): FastifyReply {
    if (isNotification(body)) dispatcher.notification(session, body, request.log, request.mcpAuth)
    else dispatcher.response(session, body)
    return reply.code(202).send()
  }

  // Limits that keep one session from taking the whole server (503: try again later).
  function assertRoom (session: Session, requests: number): void {
    if (session.inflight.size + requests > options.maxRequestsPerSession) {
      throw new FST_MCP_SESSION_BUSY(options.maxRequestsPerSession, 'requests in flight')
    }
    if (session.streams.size >= options.maxStreamsPerSession) {
      throw new FST_MCP_SESSION_BUSY(options.maxStreamsPerSession, 'open streams')
    }
  }

  fastify.route({
    method: 'GET',
    url: options.path,
    // Fastify's automatic HEAD would run this handler and replace the client's real stream.
    exposeHeadRoute: false,
    onRequest: refuseModernBodyless,
    handler: async function mcpGet (request, reply) {
      await serveGet(transport, request, reply, (r) => requireSession(r, sessions))
      return reply
    }
  })

  fastify.delete(options.path, { onRequest: refuseModernBodyless }, async function mcpDelete (request, reply) {
    await endSession(transport, await requireSession(request, sessions))
    return reply.code(200).send()
  })

  refuseOtherMethods(fastify, options.path, ALLOWED, options)
}

/**
 * DELETE: the session ends on every instance before the client hears so (with a shared
 * state, the other instances' streams and work end through the bus).
 */
export async function endSession (transport: Transport, session: Session): Promise<void> {
  await transport.sessions.terminate(session)
}

/**
 * GET on the MCP endpoint (and the original design's GET path): the standalone stream, or
 * a resume when Last-Event-ID names an event.
 */
export async function serveGet (transport: Transport, request: FastifyRequest, reply: FastifyReply, lookup: (request: FastifyRequest) => MaybePromise<Session>): Promise<void> {
  // 2025-11-25 transports §Listening for Messages #2: the client must accept SSE.
  if (!accepts(request.headers.accept, 'text/event-stream')) throw new FST_MCP_NOT_ACCEPTABLE('text/event-stream')
  const session = await lookup(request)
  const max = transport.options.maxStreamsPerSession
  if (session.streams.size >= max) throw new FST_MCP_SESSION_BUSY(max, 'open streams')
  const lastEventId = request.headers['last-event-id']
  // 2025-11-25 transports §Resumability #2: resumption is always a GET with Last-Event-ID.
  if (typeof lastEventId === 'string') await transport.delivery.resume(session, reply, lastEventId)
  else await transport.delivery.openStandalone(session, reply)
}
