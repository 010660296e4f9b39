// Which protocol era a POST belongs to (2026-07-28 versioning §Backward Compatibility):
// a request that carries the modern per-request `_meta` or modern headers is served
// statelessly; everything else (initialize, session traffic) keeps legacy semantics.
import type { IncomingHttpHeaders } from 'node:http'
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
