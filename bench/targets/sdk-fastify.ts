// The official SDK transport mounted inside Fastify the way people do it today: Fastify
// parses the body (its default 1 MiB bodyLimit, which few change), the route hijacks the
// reply and hands req.raw/reply.raw and the parsed body to transport.handleRequest.
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { announce, portFromEnv, stopOnSignal } from './lifecycle.js'
import { SdkSessions } from './sdk-sessions.js'

const sessions = new SdkSessions()
const app = Fastify({ logger: false })

function rpcError (code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null }
}

/** The session's transport, or an error answer already sent (null). */
function existing (request: FastifyRequest, reply: FastifyReply): StreamableHTTPServerTransport | null {
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

app.post('/mcp', async function sdkPost (request, reply) {
  let transport: StreamableHTTPServerTransport | null
  if (request.headers['mcp-session-id'] === undefined && isInitializeRequest(request.body)) {
    transport = await sessions.create()
  } else {
    transport = existing(request, reply)
    if (transport === null) return reply
  }
  reply.hijack()
  await transport.handleRequest(request.raw, reply.raw, request.body)
  return reply
})

app.get('/mcp', async function sdkGet (request, reply) {
  const transport = existing(request, reply)
  if (transport === null) return reply
  reply.hijack()
  sessions.trackStream(reply.raw)
  await transport.handleRequest(request.raw, reply.raw)
  return reply
})

app.delete('/mcp', async function sdkDelete (request, reply) {
  const transport = existing(request, reply)
  if (transport === null) return reply
  reply.hijack()
  await transport.handleRequest(request.raw, reply.raw)
  return reply
})

await app.listen({ host: '127.0.0.1', port: portFromEnv() })
const address = app.server.address()
announce(typeof address === 'object' && address !== null ? address.port : 0)
stopOnSignal(async () => {
  await sessions.closeAll()
  app.server.closeAllConnections()
  await app.close()
})
