import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { FastifyInstance, RouteOptions } from 'fastify'

// Requests answered before their body was asked for: the error handler must close their
// connection (the client will not send the body Node's parser still waits for) and must
// not linger (nothing is coming).
const refusedBeforeBody = new WeakSet<IncomingMessage>()

/** True when the request's `Expect: 100-continue` was never answered with 100 Continue. */
export function wasRefusedBeforeBody (raw: IncomingMessage): boolean {
  return refusedBeforeBody.has(raw)
}

// One listener per HTTP server, however many times the plugin is registered on it: the
// body limits of every MCP POST path it serves, by URL path.
const limitsByServer = new WeakMap<Server, Map<string, number>>()

/**
 * `Expect: 100-continue` with a Content-Length over a MCP POST path's bodyLimit is answered
 * 413 without asking for the body (RFC 9110 §10.1.1: a server MAY answer with a final status
 * instead of 100): Node's default would send 100 Continue at once, the client would start
 * sending, and the 413 would race its upload (issue 13 #2). Every other request is continued
 * exactly as Node does without a listener. The request still goes through Fastify (hooks,
 * CORS, guards, the error handler), which answers 413 from the Content-Length alone.
 *
 * Installed when the app is ready, and only if nothing else listens for 'checkContinue': an
 * app that handles it itself keeps its own behaviour (a second listener would emit the
 * request twice).
 */
export function answerOversizedExpect (instance: FastifyInstance): void {
  // The MCP POST routes of this context, with their own bodyLimit, as they are registered
  // (trailing-slash twins included); the full URL, prefix and all, is what req.url holds.
  const paths = new Map<string, number>()
  instance.addHook('onRoute', function mcpExpectContinuePath (route: RouteOptions) {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (methods.includes('POST') && route.bodyLimit !== undefined) paths.set(route.url as string, route.bodyLimit)
  })
  instance.addHook('onReady', function mcpExpectContinue (done) {
    const server = instance.server as Server
    let limits = limitsByServer.get(server)
    if (limits === undefined) {
      if (server.listenerCount('checkContinue') > 0) {
        done()
        return
      }
      const known = new Map<string, number>()
      limits = known
      limitsByServer.set(server, known)
      server.on('checkContinue', function mcpCheckContinue (req: IncomingMessage, res: ServerResponse) {
        const url = req.url as string
        const query = url.indexOf('?')
        // POST only: the other methods on these paths have Fastify's own limit, and a request
        // refused here that the route would still read waits for a body that never comes.
        const limit = req.method === 'POST' ? known.get(query === -1 ? url : url.slice(0, query)) : undefined
        if (limit !== undefined && Number(req.headers['content-length']) > limit) refusedBeforeBody.add(req)
        else res.writeContinue()
        server.emit('request', req, res)
      })
    }
    for (const [path, limit] of paths) limits.set(path, limit)
    done()
  })
}
