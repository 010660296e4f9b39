import type { FastifyRequest } from 'fastify'
import { FST_MCP_PARSE_ERROR } from '../errors.js'

/**
 * The only body parser on the MCP routes. Fastify reads the body as a string under the
 * route's bodyLimit (413 while reading, before buffering the rest), then it is parsed once.
 * A syntax error is JSON-RPC's -32700.
 */
export function parseJsonBody (request: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void): void {
  // A GET or DELETE carries no message: a client that labels its empty body JSON (an HTTP/2
  // request has no Content-Length to say it is empty) is not refused for it.
  if (body === '' && request.method !== 'POST') {
    done(null, undefined)
    return
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(body as string)
  } catch {
    done(new FST_MCP_PARSE_ERROR())
    return
  }
  done(null, parsed)
}
