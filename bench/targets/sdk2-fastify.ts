// The official SDK 2.x Fastify package used the way its README shows: createMcpFastifyApp()
// with its defaults (Host and Origin validation for a 127.0.0.1 bind, Fastify's default
// 1 MiB bodyLimit, no logger), and routes that hand request.raw/reply.raw and the parsed body
// to NodeStreamableHTTPServerTransport.handleRequest. Sessions as in sdk-fastify.ts.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { createMcpFastifyApp } from '@modelcontextprotocol/fastify'
import type { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node'
import { isInitializeRequest } from '@modelcontextprotocol/server'
import { announce, portFromEnv, stopOnSignal } from './lifecycle.js'
import { Sdk2Sessions } from './sdk2-sessions.js'

const sessions = new Sdk2Sessions()
const app = createMcpFastifyApp()

function rpcError (code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null }
}

/** The session's transport, or an error answer already sent (null). */
function existing (request: FastifyRequest, reply: FastifyReply): NodeStreamableHTTPServerTransport | null {
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

// No reply.hijack(), unlike sdk-fastify.ts: the 2.x README mounts the transport without it.
// handleRequest resolves only once the response has ended (the Node adapter awaits the whole
// body, SSE included), so Fastify then finds the reply sent and writes nothing more.
app.post('/mcp', async function sdk2Post (request, reply) {
  let transport: NodeStreamableHTTPServerTransport | null
  if (request.headers['mcp-session-id'] === undefined && isInitializeRequest(request.body)) {
    transport = await sessions.create()
  } else {
    transport = existing(request, reply)
    if (transport === null) return reply
  }
  await transport.handleRequest(request.raw, reply.raw, request.body)
})

app.get('/mcp', async function sdk2Get (request, reply) {
  const transport = existing(request, reply)
  if (transport === null) return reply
  sessions.trackStream(reply.raw)
  await transport.handleRequest(request.raw, reply.raw)
})

app.delete('/mcp', async function sdk2Delete (request, reply) {
  const transport = existing(request, reply)
  if (transport === null) return reply
  await transport.handleRequest(request.raw, reply.raw)
})

await app.listen({ host: '127.0.0.1', port: portFromEnv() })
const address = app.server.address()
announce(typeof address === 'object' && address !== null ? address.port : 0)
stopOnSignal(async () => {
  await sessions.closeAll()
  app.server.closeAllConnections()
  await app.close()
})
