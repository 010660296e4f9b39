// Validation of one modern-era (2026-07-28) POST before anything runs: the required
// headers and their agreement with the body (T-0728 §Standard Request Headers, §Server
// Validation), and the per-request `_meta` fields (B-0728 §`_meta`).
import type { IncomingHttpHeaders } from 'node:http'
import type { LoggingLevel } from '../../types/index.js'
import {
  FST_MCP_HEADER_MISMATCH,
  FST_MCP_INVALID_META,
  FST_MCP_MODERN_METHOD_NOT_FOUND,
  FST_MCP_MODERN_VERSION_UNSUPPORTED
} from '../errors.js'
import type { JsonRpcNotification, JsonRpcRequest } from '../protocol/jsonrpc.js'
import { LEGACY_VERSIONS } from '../protocol/versions.js'
import {
  META_CLIENT_CAPABILITIES,
  META_LOG_LEVEL,
  META_PROTOCOL_VERSION,
  MODERN_VERSIONS,
  isModernVersion,
  metaOf
} from './era.js'

/** What a validated modern request tells the handler about its client. */
export interface ModernScope {
  protocolVersion: string
  clientCapabilities: Record<string, unknown>
  /** `_meta` logLevel: without it the request gets no log messages. */
  logLevel: LoggingLevel | undefined
  /** The request's HTTP headers (Mcp-Param-* checks need them). */
  headers: IncomingHttpHeaders
}

// Methods 2026-07-28 removed (CL-0728): sent with modern headers they do not exist, so
// they get 404 + -32601 like any unknown method (conformance sep-2575-...-404-*).
export const REMOVED_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe'
])

// T-0728 §Standard Request Headers: Mcp-Name mirrors params.name or params.uri; and
// params.taskId on tasks/* (tasks.md §Streamable HTTP: Routing Headers).
const NAMED: Readonly<Record<string, 'name' | 'uri' | 'taskId'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId'
}

const LOG_LEVELS = new Set(['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'])

/** Every version this server speaks, modern first: the -32022 error and server/discover list it. */
export const SUPPORTED_VERSIONS: readonly string[] = [...MODERN_VERSIONS, ...LEGACY_VERSIONS]

const WRAPPED = /^=\?base64\?(.*)\?=$/s
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * A header value as sent, or decoded when it is wrapped as `=?base64?…?=` (T-0728 §Value
 * Encoding); a value without the whole wrapper is literal. A wrapped value that is not
 * canonical Base64 (bad padding or characters) is null: the request must be rejected.
 */
export function decodeHeaderValue (value: string): string | null {
  const wrapped = WRAPPED.exec(value)
  if (wrapped === null) return value
  return BASE64.test(wrapped[1]) ? Buffer.from(wrapped[1], 'base64').toString('utf8') : null
}

// Node joins repeated custom headers into one string, so these are never arrays.
function header (headers: IncomingHttpHeaders, name: string): string | undefined {
  return headers[name] as string | undefined
}

function unsupported (version: string): Error {
  const error = new FST_MCP_MODERN_VERSION_UNSUPPORTED(version, SUPPORTED_VERSIONS.join(', ')) as Error & { data?: unknown }
  // V-0728 §Protocol Version Negotiation: the error lists what the server does support.
  error.data = { supported: SUPPORTED_VERSIONS, requested: version }
  return error
}

/**
 * Checks a modern message and returns its scope, or throws the error to answer with:
 * 400 + -32020 for a missing or disagreeing header, 400 + -32602 for missing `_meta`
 * fields, 400 + -32022 for a version this server does not speak, 404 + -32601 for a
 * method 2026-07-28 removed.
 */
export function validateModernRequest (headers: IncomingHttpHeaders, message: JsonRpcRequest | JsonRpcNotification): ModernScope {
  const versionHeader = header(headers, 'mcp-protocol-version')
  if (versionHeader === undefined) throw new FST_MCP_HEADER_MISMATCH('the MCP-Protocol-Version header is required')
  const meta = metaOf(message)
  const version = meta?.[META_PROTOCOL_VERSION]
  if (typeof version !== 'string') throw new FST_MCP_INVALID_META(`params._meta["${META_PROTOCOL_VERSION}"] is required`)
  const capabilities = meta![META_CLIENT_CAPABILITIES]
  if (capabilities === null || typeof capabilities !== 'object' || Array.isArray(capabilities)) {
    throw new FST_MCP_INVALID_META(`params._meta["${META_CLIENT_CAPABILITIES}"] is required (an object)`)
  }
  if (versionHeader !== version) {
    throw new FST_MCP_HEADER_MISMATCH(`MCP-Protocol-Version ${versionHeader} differs from params._meta["${META_PROTOCOL_VERSION}"] ${version}`)
  }
  if (!isModernVersion(version)) throw unsupported(version)
  const method = header(headers, 'mcp-method')
  if (method === undefined) throw new FST_MCP_HEADER_MISMATCH('the Mcp-Method header is required')
  if (decodeHeaderValue(method) !== message.method) {
    throw new FST_MCP_HEADER_MISMATCH(`Mcp-Method ${method} differs from the body's method ${message.method}`)
  }
  const field = NAMED[message.method]
  if (field !== undefined) {
    const name = header(headers, 'mcp-name')
    if (name === undefined) throw new FST_MCP_HEADER_MISMATCH(`the Mcp-Name header is required for ${message.method}`)
    const expected = message.params?.[field]
    if (decodeHeaderValue(name) !== expected) {
      throw new FST_MCP_HEADER_MISMATCH(`Mcp-Name ${name} differs from params.${field}`)
    }
  }
  if ('id' in message && REMOVED_METHODS.has(message.method)) throw new FST_MCP_MODERN_METHOD_NOT_FOUND(message.method)
  const level = meta![META_LOG_LEVEL]
  return {
    protocolVersion: version,
    clientCapabilities: capabilities as Record<string, unknown>,
    logLevel: typeof level === 'string' && LOG_LEVELS.has(level) ? level as LoggingLevel : undefined,
    headers
  }
}
