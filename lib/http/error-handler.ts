import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { RPC_CODES } from '../errors.js'
import { ErrorCode, errorResponse, type RequestId } from '../protocol/jsonrpc.js'
import { wasRefusedBeforeBody } from './expect-continue.js'
import { lingerOnRefusedBody, type LingerBounds } from './linger.js'

// Fastify's own errors that reach the MCP routes, mapped to the status and JSON-RPC code
// a client should see. Anything else is a bug: 500, -32603, details only in the log.
const FASTIFY_ERRORS: Readonly<Record<string, [number, number]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, ErrorCode.InvalidRequest],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, ErrorCode.ConnectionClosed],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, ErrorCode.InvalidRequest],
  FST_ERR_CTP_EMPTY_TYPE: [415, ErrorCode.ConnectionClosed]
}

function isFastifyClientError (error: FastifyError): boolean {
  const status = error.statusCode
  return typeof error.code === 'string' && error.code.startsWith('FST_ERR_') && status !== undefined && status >= 400 && status < 500
}

function requestIdOf (body: unknown): RequestId | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined
  const id = (body as { id?: unknown }).id
  return typeof id === 'string' || typeof id === 'number' ? id : undefined
}

/**
 * Renders every error on the MCP routes as a JSON-RPC error response with the right HTTP
 * status. The id is the request's when it could be read, and omitted otherwise
 * (2025-11-25 basic §Error Responses).
 */
export function createErrorHandler (bodyLimit: number, linger: LingerBounds) {
  function refuseBody (request: FastifyRequest, reply: FastifyReply): void {
    // Expect: 100-continue refused: no body is coming, and Node's parser would wait for it.
    if (wasRefusedBeforeBody(request.raw)) {
      reply.header('connection', 'close')
      return
    }
    // Not the `close` Fastify sets: Node would destroy the socket as soon as the answer is
    // written. The rest of the body is read and dropped, then the connection is kept or
    // ended as the client asked (linger.ts).
    reply.header('connection', 'keep-alive')
    lingerOnRefusedBody(request.raw, linger)
  }

  return function mcpErrorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
    let status: number
    let code: number
    let message: string
    // Modern-era errors carry data (e.g. -32022's supported/requested versions).
    let data: unknown
    const mapped = RPC_CODES[error.code]
    if (mapped !== undefined) {
      // Every FST_MCP error is created with its status (errors.ts).
      status = error.statusCode as number
      code = mapped
      message = error.message
      data = (error as { data?: unknown }).data
    } else if (error.validation !== undefined) {
      status = 400
      code = ErrorCode.InvalidRequest
      message = `Invalid Request: not a JSON-RPC 2.0 message (${error.message})`
    } else if (FASTIFY_ERRORS[error.code] !== undefined) {
      [status, code] = FASTIFY_ERRORS[error.code]
      message = status === 413
        ? `Request body is larger than ${bodyLimit} bytes; send a smaller message or raise the bodyLimit option`
        : error.message
    } else if (isFastifyClientError(error)) {
      // Any other refusal of Fastify's own (a QUERY without Content-Type, for one): the
      // client's fault, with Fastify's status and message, in a JSON-RPC body.
      status = error.statusCode as number
      code = ErrorCode.InvalidRequest
      message = error.message
    } else {
      request.log.error({ err: error }, 'MCP route failed')
      status = 500
      code = ErrorCode.InternalError
      message = 'Internal error'
    }
    // HTTP/2 resets only the stream and forbids a connection header (RFC 9113 §8.2.2),
    // which Fastify sets after any body error: Node would warn and drop it. HTTP/1 413: the
    // client may still be sending (see linger.ts), unless it was never asked to.
    if (request.raw.httpVersionMajor !== 1) reply.removeHeader('connection')
    else if (status === 413) refuseBody(request, reply)
    reply.code(status).send(errorResponse(requestIdOf(request.body), code, message, data))
  }
}
