// What both Fastify-hosted SDK targets (1.x and 2.x) share: the /mcp routes as the SDK
// examples write them, and listening until the runner stops the target. A POST initialize
// without a session id gets a new session's transport, every other request must name a known
// session (400 without Mcp-Session-Id, 404 for an unknown one), and the session's transport
// answers. How the transport takes over the reply (with or without reply.hijack()) differs
// between the two targets, so each passes its own handOver.
import type { ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { announce, portFromEnv, stopOnSignal } from './lifecycle.js'

/** What the routes need of the session bookkeeping (SdkSessionMap has it). */
export interface RouteSessions<T> {
  readonly transports: ReadonlyMap<string, T>
  create (): Promise<T>
  trackStream (res: ServerResponse): void
  closeAll (): Promise<void>
}

/**
 * Hands one request to the session's transport. It resolves what the route handler returns,
 * because that decides whether Fastify sends anything afterwards (see wrap-thenable).
 */
export type HandOver<T> = (transport: T, request: FastifyRequest, reply: FastifyReply, parsedBody?: unknown) => Promise<FastifyReply | undefined>

export interface SessionRoutesOptions<T> {
  sessions: RouteSessions<T>
  /** The SDK's own initialize check, so each target judges bodies as its SDK does. */
  isInitializeRequest: (body: unknown) => boolean
  handOver: HandOver<T>
}

function rpcError (code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null }
}

/** The session's transport, or an error answer already sent (null). */
function existing<T extends object> (sessions: RouteSessions<T>, request: FastifyRequest, reply: FastifyReply): T | null {
  const id = request.headers['mcp-session-id']
  if (typeof id !== 'string') {
    reply.code(400).send(rpcError(-32000, 'Bad Request: Mcp-Session-Id header is required'))
    return null
  }
  const transport = sessions.transports.get(id)
  if (transport === undefined) {
    reply.code(404).send(rpcError(-32001, 'Session not found'))
    return null
  }
  return transport
}

export function mountSessionRoutes<T extends object> (app: FastifyInstance, options: SessionRoutesOptions<T>): void {
  const { sessions, isInitializeRequest, handOver } = options

  app.post('/mcp', async function sessionPost (request, reply) {
    let transport: T | null
    if (request.headers['mcp-session-id'] === undefined && isInitializeRequest(request.body)) {
      transport = await sessions.create()
    } else {
      transport = existing(sessions, request, reply)
      if (transport === null) return reply
    }
    return handOver(transport, request, reply, request.body)
  })

  app.get('/mcp', async function sessionGet (request, reply) {
    const transport = existing(sessions, request, reply)
    if (transport === null) return reply
    sessions.trackStream(reply.raw)
    return handOver(transport, request, reply)
  })

  app.delete('/mcp', async function sessionDelete (request, reply) {
    const transport = existing(sessions, request, reply)
    if (transport === null) return reply
    return handOver(transport, request, reply)
  })
}

/** Listens on the bench port, announces it, and on stop closes every session first. */
export async function serveUntilStopped<T> (app: FastifyInstance, sessions: RouteSessions<T>): Promise<void> {
  await app.listen({ host: '127.0.0.1', port: portFromEnv() })
  const address = app.server.address()
  announce(typeof address === 'object' && address !== null ? address.port : 0)
  stopOnSignal(async () => {
    await sessions.closeAll()
    // Held GET streams would keep app.close() waiting until stopOnSignal's forced exit.
    app.server.closeAllConnections()
    await app.close()
  })
}
