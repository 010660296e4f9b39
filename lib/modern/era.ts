// Which protocol era a request belongs to (2026-07-28 versioning §Backward Compatibility),
// decided here for every method: a request that carries the modern per-request `_meta` or
// modern headers is served statelessly; everything else (initialize, session traffic)
// keeps legacy semantics.
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { FST_MCP_METHOD_NOT_ALLOWED } from '../errors.js'
import type { JsonRpcMessage } from '../protocol/jsonrpc.js'

/** Revisions of the stateless ("modern") era, newest first. */
export const MODERN_VERSIONS = ['2026-07-28'] as const
export const LATEST_MODERN_VERSION = MODERN_VERSIONS[0]

// 2026-07-28 basic §`_meta` › Per-request protocol fields.
export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion'
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities'
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo'
export const META_LOG_LEVEL = 'io.modelcontextprotocol/logLevel'
export const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo'
export const META_SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId'

// 2026-07-28 error codes (basic §Error codes: -32020..-32022); the legacy -32000 range is
// never used for a modern request (mcp-transport-spec item 72).
export const ModernErrorCode = {
  HeaderMismatch: -32020,
  MissingRequiredClientCapability: -32021,
  UnsupportedProtocolVersion: -32022
} as const

const modern = new Set<string>(MODERN_VERSIONS)

export function isModernVersion (version: unknown): boolean {
  return typeof version === 'string' && modern.has(version)
}

/** The `_meta` object of a message's params, when there is one. */
export function metaOf (message: JsonRpcMessage): Record<string, unknown> | undefined {
  const params = (message as { params?: unknown }).params
  if (params === null || typeof params !== 'object') return undefined
  const meta = (params as { _meta?: unknown })._meta
  return meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? meta as Record<string, unknown> : undefined
}

/**
 * True when a single (non-batch) message is a modern-era request or notification: its
 * `_meta` names a protocol version, or MCP-Protocol-Version names a modern revision, or,
 * without any MCP-Protocol-Version, an Mcp-Method header is present. A header naming a
 * legacy revision keeps the message legacy even with Mcp-Method (clients that know SEP-2243
 * send it on legacy requests too), and so does a bare `initialize`: it selects legacy
 * semantics (2026-07-28 versioning §Backward Compatibility). Responses are always legacy:
 * modern clients never POST one.
 */
export function isModernMessage (headers: IncomingHttpHeaders, message: JsonRpcMessage): boolean {
  if (!('method' in message)) return false
  if (metaOf(message)?.[META_PROTOCOL_VERSION] !== undefined) return true
  const version = headers['mcp-protocol-version']
  if (version !== undefined) return isModernVersion(version)
  return headers['mcp-method'] !== undefined && message.method !== 'initialize'
}

/**
 * The era of a request without a message (GET, DELETE), from its headers alone: a modern
 * MCP-Protocol-Version and no Mcp-Session-Id is a 2026-07-28 client. A session id, a legacy
 * version or no version header keeps today's legacy behaviour.
 */
export function isModernBodyless (headers: IncomingHttpHeaders): boolean {
  return headers['mcp-session-id'] === undefined && isModernVersion(headers['mcp-protocol-version'])
}

const MODERN_ALLOW = 'POST'

/**
 * onRequest hook of GET and DELETE on the MCP endpoint: the 2026-07-28 transport has no
 * standalone stream and no session to end, so a modern request is answered 405 with
 * `Allow: POST` (T-0728 §Backward Compatibility › Earlier Streamable HTTP Revisions;
 * mcp-transport-spec item 86) instead of legacy's 400 for a missing session.
 */
export function refuseModernBodyless (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (!isModernBodyless(request.headers)) {
    done()
    return
  }
  reply.header('allow', MODERN_ALLOW)
  done(new FST_MCP_METHOD_NOT_ALLOWED(MODERN_ALLOW))
}
