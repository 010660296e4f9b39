import type { FastifyCorsOptions } from '@fastify/cors'
import type { McpServerContract, McpTransportOptions, McpTransportPluginOptions, ResponseMode } from '../types/index.js'
import { FST_MCP_INVALID_OPTION, FST_MCP_INVALID_SERVER } from './errors.js'
import type { EventStore } from './state/event-store.js'
import { MemoryEventStore } from './state/memory/memory-event-store.js'
import { resolveAuthOptions, type ResolvedAuth } from './auth/auth-options.js'
import type { StateBackend } from './state/state.js'
import { memoryState } from './state/memory/memory-state.js'

export const DEFAULT_PATH = '/mcp'
export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024
// After a 413, how much more of the refused body is read and dropped before the connection
// is cut (lingering close, lib/http/linger.ts): enough for a body a few times the default
// limit to end in a readable answer, and no longer than a slow upload of it takes.
export const DEFAULT_LINGER_BYTES = 16 * 1024 * 1024
export const DEFAULT_LINGER_TIMEOUT = 5000
export const DEFAULT_SESSION_TIMEOUT = 30 * 60 * 1000
export const DEFAULT_MAX_SESSIONS = 10_000
export const DEFAULT_HEARTBEAT_INTERVAL = 15_000
export const DEFAULT_RESPONSE_MODE: ResponseMode = 'auto'
export const DEFAULT_REQUEST_TIMEOUT = 60_000
export const DEFAULT_MAX_STREAM_QUEUE_BYTES = 1024 * 1024
export const DEFAULT_HEALTH_PATHS = ['/health', '/mcp/health']
export const DEFAULT_RETRY_INTERVAL = 1000
export const DEFAULT_MAX_STREAMS_PER_SESSION = 32
export const DEFAULT_MAX_REQUESTS_PER_SESSION = 128
export const DEFAULT_MAX_PENDING_PER_SESSION = 32
export const DEFAULT_SHUTDOWN_TIMEOUT = 5000
export const DEFAULT_LEGACY_SSE = true
export const DEFAULT_DEPRECATED_ROUTES = true

export interface ResolvedOptions {
  server: McpServerContract
  path: string
  bodyLimit: number
  lingerBytes: number
  lingerTimeout: number
  sessionTimeout: number
  maxSessions: number
  heartbeatInterval: number
  responseMode: ResponseMode
  requestTimeout: number
  maxStreamQueueBytes: number
  allowedOrigins: string[] | undefined
  allowedHosts: string[] | false | undefined
  cors: FastifyCorsOptions | false
  health: string[]
  eventStore: EventStore | null
  retryInterval: number
  maxStreamsPerSession: number
  maxRequestsPerSession: number
  maxPendingPerSession: number
  shutdownTimeout: number
  legacySse: boolean
  deprecatedRoutes: boolean
  /** null: authorization is off (the default), and nothing of it is registered. */
  auth: ResolvedAuth | null
  state: StateBackend
}

function integer (name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new FST_MCP_INVALID_OPTION(name, JSON.stringify(value), `an integer >= ${min}`)
  }
  return value
}

function boolean (name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new FST_MCP_INVALID_OPTION(name, JSON.stringify(value), 'true or false')
  return value
}

function stringList (name: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new FST_MCP_INVALID_OPTION(name, JSON.stringify(value), 'an array of non-empty strings')
  }
  return value
}

function routePath (name: string, value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new FST_MCP_INVALID_OPTION(name, JSON.stringify(value), "a path starting with '/'")
  }
  return value
}

/** True for an object that implements McpServerContract: its contract, never its class. */
export function isServerContract (value: unknown): value is McpServerContract {
  return value !== null && typeof value === 'object' && typeof (value as { handleRequest?: unknown }).handleRequest === 'function'
}

/**
 * What was passed to register(): the design card's `register(mcpTransport, server)` (every
 * option at its default) or `register(mcpTransport, { server, ...options })`. A server is an
 * object with handleRequest; an options object never has one.
 */
export function optionsOf (registered: McpTransportPluginOptions & { prefix?: string }): McpTransportOptions & { prefix?: string } {
  return isServerContract(registered) ? { server: registered } : registered
}

/** Checks every option once, at registration, and fills in the documented defaults. */
export function resolveOptions (options: McpTransportOptions): ResolvedOptions {
  const server = options?.server
  if (!isServerContract(server)) throw new FST_MCP_INVALID_SERVER()
  const responseMode = options.responseMode ?? DEFAULT_RESPONSE_MODE
  if (responseMode !== 'auto' && responseMode !== 'json' && responseMode !== 'sse') {
    throw new FST_MCP_INVALID_OPTION('responseMode', JSON.stringify(responseMode), "'auto', 'json' or 'sse'")
  }
  const allowedHosts = options.allowedHosts
  if (allowedHosts !== undefined && allowedHosts !== false) stringList('allowedHosts', allowedHosts)
  const cors = options.cors ?? false
  if (typeof cors !== 'boolean' && (cors === null || typeof cors !== 'object')) {
    throw new FST_MCP_INVALID_OPTION('cors', JSON.stringify(cors), 'a boolean or @fastify/cors options')
  }
  const health = options.health ?? DEFAULT_HEALTH_PATHS
  const state = options.state ?? memoryState()
  if (state === null || typeof state !== 'object' || typeof state.open !== 'function' || typeof state.kind !== 'string') {
    throw new FST_MCP_INVALID_OPTION('state', String(state), 'memoryState() or redisState({ client })')
  }
  const shared = state.kind !== 'memory'
  if (shared && options.eventStore !== undefined) {
    throw new FST_MCP_INVALID_OPTION('eventStore', String(options.eventStore), `nothing with state ${state.kind}: the event log is the state's own`)
  }
  if (shared && options.sessionTimeout === 0) {
    throw new FST_MCP_INVALID_OPTION('sessionTimeout', '0', `an integer >= 1 with state ${state.kind}: every shared key needs a TTL`)
  }
  // With a shared state the event log is the state's own (see its delivery).
  const eventStore = shared ? false : options.eventStore ?? new MemoryEventStore()
  if (eventStore !== false && (typeof eventStore !== 'object' || typeof eventStore.append !== 'function' ||
      typeof eventStore.replay !== 'function' || typeof eventStore.dropSession !== 'function')) {
    throw new FST_MCP_INVALID_OPTION('eventStore', String(eventStore), 'false or an object with append, replay and dropSession')
  }
  return {
    server,
    path: routePath('path', options.path ?? DEFAULT_PATH),
    bodyLimit: integer('bodyLimit', options.bodyLimit, DEFAULT_BODY_LIMIT, 1),
    lingerBytes: integer('lingerBytes', options.lingerBytes, DEFAULT_LINGER_BYTES, 0),
    lingerTimeout: integer('lingerTimeout', options.lingerTimeout, DEFAULT_LINGER_TIMEOUT, 0),
    sessionTimeout: integer('sessionTimeout', options.sessionTimeout, DEFAULT_SESSION_TIMEOUT, 0),
    maxSessions: integer('maxSessions', options.maxSessions, DEFAULT_MAX_SESSIONS, 1),
    heartbeatInterval: integer('heartbeatInterval', options.heartbeatInterval, DEFAULT_HEARTBEAT_INTERVAL, 0),
    responseMode,
    requestTimeout: integer('requestTimeout', options.requestTimeout, DEFAULT_REQUEST_TIMEOUT, 1),
    maxStreamQueueBytes: integer('maxStreamQueueBytes', options.maxStreamQueueBytes, DEFAULT_MAX_STREAM_QUEUE_BYTES, 1),
    allowedOrigins: options.allowedOrigins === undefined ? undefined : stringList('allowedOrigins', options.allowedOrigins),
    allowedHosts,
    cors: cors === true ? {} : cors,
    health: health === false ? [] : stringList('health', health).map((p, i) => routePath(`health[${i}]`, p)),
    eventStore: eventStore === false ? null : eventStore,
    retryInterval: integer('retryInterval', options.retryInterval, DEFAULT_RETRY_INTERVAL, 0),
    maxStreamsPerSession: integer('maxStreamsPerSession', options.maxStreamsPerSession, DEFAULT_MAX_STREAMS_PER_SESSION, 1),
    maxRequestsPerSession: integer('maxRequestsPerSession', options.maxRequestsPerSession, DEFAULT_MAX_REQUESTS_PER_SESSION, 1),
    maxPendingPerSession: integer('maxPendingPerSession', options.maxPendingPerSession, DEFAULT_MAX_PENDING_PER_SESSION, 1),
    shutdownTimeout: integer('shutdownTimeout', options.shutdownTimeout, DEFAULT_SHUTDOWN_TIMEOUT, 0),
    legacySse: boolean('legacySse', options.legacySse, DEFAULT_LEGACY_SSE),
    deprecatedRoutes: boolean('deprecatedRoutes', options.deprecatedRoutes, DEFAULT_DEPRECATED_ROUTES),
    auth: resolveAuthOptions(options.auth),
    state
  }
}
