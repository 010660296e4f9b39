// The official SDK 2.x Fastify package used the way its README shows: createMcpFastifyApp()
// with its defaults (Host and Origin validation for a 127.0.0.1 bind, Fastify's default
// 1 MiB bodyLimit, no logger), and routes that hand request.raw/reply.raw and the parsed body
// to NodeStreamableHTTPServerTransport.handleRequest. Sessions and routes as in sdk-fastify.ts.
import { createMcpFastifyApp } from '@modelcontextprotocol/fastify'
import { isInitializeRequest } from '@modelcontextprotocol/server'
import { mountSessionRoutes, serveUntilStopped } from './sdk-fastify-host.js'
import { createSdk2Sessions } from './sdk2-sessions.js'

const sessions = createSdk2Sessions()
const app = createMcpFastifyApp()

mountSessionRoutes(app, {
  sessions,
  isInitializeRequest,
  // No reply.hijack(), unlike sdk-fastify.ts: the 2.x README mounts the transport without it.
  // handleRequest resolves only once the response has ended (the Node adapter awaits the whole
  // body, SSE included), so Fastify then finds the reply sent and writes nothing more. It
  // resolves undefined, not the reply: Fastify sends a returned value unless the response has
  // ended, and a stream the client dropped is destroyed without ending.
  async handOver (transport, request, reply, parsedBody) {
    await transport.handleRequest(request.raw, reply.raw, parsedBody)
    return undefined
  }
})

await serveUntilStopped(app, sessions)
