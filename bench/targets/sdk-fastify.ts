// The official SDK 1.x transport mounted inside Fastify the way people do it today: Fastify
// parses the body (its default 1 MiB bodyLimit, which few change), the route hijacks the
// reply and hands req.raw/reply.raw and the parsed body to transport.handleRequest.
import Fastify from 'fastify'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import { mountSessionRoutes, serveUntilStopped } from './sdk-fastify-host.js'
import { createSdkSessions } from './sdk-sessions.js'

const sessions = createSdkSessions()
const app = Fastify({ logger: false })

mountSessionRoutes(app, {
  sessions,
  isInitializeRequest,
  async handOver (transport, request, reply, parsedBody) {
    // The 1.x transport writes to reply.raw itself; hijacking keeps Fastify from answering too.
    reply.hijack()
    await transport.handleRequest(request.raw, reply.raw, parsedBody)
    return reply
  }
})

await serveUntilStopped(app, sessions)
