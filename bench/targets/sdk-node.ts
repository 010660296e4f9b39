// The official SDK's StreamableHTTPServerTransport on plain node:http, one transport per
// session as in the SDK's examples. The SDK reads and size-checks the body itself (its own
// 4 MiB default), so nothing is parsed here: a request without a session id gets a fresh
// transport, which keeps the session only if the body was a successful initialize.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { announce, portFromEnv, stopOnSignal } from './lifecycle.js'
import { createSdkSessions } from './sdk-sessions.js'

const sessions = createSdkSessions()

function jsonError (res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }))
}

async function handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.url !== '/mcp') return jsonError(res, 404, -32600, 'Not found')
  const id = req.headers['mcp-session-id']
  if (typeof id === 'string') {
    const transport = sessions.transports.get(id)
    if (transport === undefined) return jsonError(res, 404, -32001, 'Session not found')
    if (req.method === 'GET') sessions.trackStream(res)
    return transport.handleRequest(req, res)
  }
  if (req.method !== 'POST') return jsonError(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required')
  const transport = await sessions.create()
  return transport.handleRequest(req, res)
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) jsonError(res, 500, -32603, 'Internal error')
    else res.destroy()
  })
})

server.listen(portFromEnv(), '127.0.0.1', () => {
  const address = server.address()
  announce(typeof address === 'object' && address !== null ? address.port : 0)
})
stopOnSignal(async () => {
  await sessions.closeAll()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})
