// Moving a server written with the official SDK (@modelcontextprotocol/sdk) onto
// fastify-mcp-transport. The server code does not change; only how it is served does.
//
// Before: the SDK's own transport, one StreamableHTTPServerTransport per session, and the
// session bookkeeping written by hand on three Express routes:
//
//   const transports: Record<string, StreamableHTTPServerTransport> = {}
//   app.post('/mcp', async (req, res) => {
//     let transport = transports[req.headers['mcp-session-id'] as string]
//     if (transport === undefined && isInitializeRequest(req.body)) {
//       transport = new StreamableHTTPServerTransport({
//         sessionIdGenerator: () => randomUUID(),
//         onsessioninitialized: (id) => { transports[id] = transport }
//       })
//       transport.onclose = () => { delete transports[transport.sessionId!] }
//       await createServer().connect(transport)
//     }
//     await transport.handleRequest(req, res, req.body)
//   })
//   app.get('/mcp', ...)     // the same lookup again, for the GET stream
//   app.delete('/mcp', ...)  // and again, to end the session
//
// After: register the plugin with the same factory. Sessions, streams, Origin/Host checks,
// health routes and cleanup are the plugin's job:
//
//   import mcpTransport from 'fastify-mcp-transport'
//   import { fromSdkServer } from 'fastify-mcp-transport/adapters'
//   await app.register(mcpTransport, { server: fromSdkServer(() => createServer()) })
//
// Run it: `npm run build && PORT=3002 node dist/examples/sdk-server.js`.
import { pathToFileURL } from 'node:url'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { z } from 'zod'
import mcpTransport from '../lib/index.js'
import { fromSdkServer } from '../lib/adapters/index.js'

/** An ordinary SDK server: nothing in it depends on the transport that serves it. */
export function createServer (): McpServer {
  const server = new McpServer({ name: 'sdk-server-on-fastify', version: '1.0.0' })

  server.registerTool('add', {
    description: 'Add two numbers',
    inputSchema: { a: z.number(), b: z.number() }
  }, async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }))

  server.registerTool('countdown', {
    description: 'Count down from n, reporting progress each step (pass a progressToken to see it)',
    inputSchema: { n: z.number().int().min(1).max(20) }
  }, async ({ n }, extra) => {
    const progressToken = extra._meta?.progressToken
    for (let i = 1; i <= n; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      if (progressToken !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: i, total: n } })
      }
    }
    return { content: [{ type: 'text', text: 'Liftoff!' }] }
  })

  server.registerResource('readme', 'docs://readme', { description: 'What this server is', mimeType: 'text/plain' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'An SDK server served by fastify-mcp-transport.' }] }))

  return server
}

export async function buildSdkApp (options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify(options)
  // One SDK server per session, created on the session's initialize and closed when it ends.
  await app.register(mcpTransport, { server: fromSdkServer(() => createServer()) })
  return app
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const app = await buildSdkApp({ logger: { level: 'info' } })
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3002) })
}
