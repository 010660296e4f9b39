import type { FastifyBaseLogger } from 'fastify'
import { ATTR_JSONRPC_REQUEST_ID, ATTR_MCP_METHOD_NAME, ATTR_MCP_SESSION_ID } from '../telemetry/semconv.js'
import type { RequestId } from './jsonrpc.js'

/**
 * The logger of one client message: a pino child carrying the session id, the JSON-RPC id
 * and the method under the same keys as the message's span attributes (mcp.session.id,
 * jsonrpc.request.id, mcp.method.name), so logs and traces join on them. Callers make it
 * on first use only: a request that logs nothing creates no child.
 */
export function requestLogger (log: FastifyBaseLogger, sessionId: string | undefined, id: RequestId | undefined, method: string): FastifyBaseLogger {
  const bindings: Record<string, string> = { [ATTR_MCP_METHOD_NAME]: method }
  if (sessionId !== undefined) bindings[ATTR_MCP_SESSION_ID] = sessionId
  if (id !== undefined) bindings[ATTR_JSONRPC_REQUEST_ID] = String(id)
  return log.child(bindings)
}
