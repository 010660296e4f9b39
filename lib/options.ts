import type { FastifyCorsOptions } from '@fastify/cors'
import type { McpServerContract, McpTransportOptions, McpTransportPluginOptions, ResponseMode } from '../types/index.js'
import { FST_MCP_INVALID_OPTION, FST_MCP_INVALID_SERVER } from './errors.js'
import type { EventStore } from './state/event-store.js'
import { MemoryEventStore } from './state/memory/memory-event-store.js'
import { resolveAuthOptions, type ResolvedAuth } from './auth/auth-options.js'
import type { StateBackend } from './state/state.js'
import { memoryState } from './state/memory/memory-state.js'
import type { TaskStore } from './state/task-store.js'
import type { TaskSignals } from './state/task-signals.js'
import { DEFAULT_MAX_TASKS, DEFAULT_MAX_TASKS_PER_OWNER } from './state/memory/memory-task-store.js'
import { DEFAULT_TASK_LEASE_TIMEOUT } from './tasks/task-engine.js'
import type { TelemetryProviders } from './telemetry/telemetry.js'
import { resolveRateLimit, type ResolvedRateLimit } from './access/rate-limit-options.js'

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
export { DEFAULT_MAX_TASKS, DEFAULT_MAX_TASKS_PER_OWNER, DEFAULT_TASK_LEASE_TIMEOUT }

const TASK_STORE_METHODS = ['create', 'get', 'update', 'requestInput', 'answerInput', 'list', 'delete', 'sweep', 'close'] as const
const TASK_SIGNALS_METHODS = ['publish', 'subscribe', 'close'] as const

export interface ResolvedTaskOptions {
  /** The application's own store and signals; null: the state's (memory, or Redis with redisState). */
  store: TaskStore | null
  signals: TaskSignals | null
  maxTasks: number
  maxTasksPerOwner: number
  leaseTimeout: number
}
export const DEFAULT_TELEMETRY = false

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
  tasks: ResolvedTaskOptions
  /** null: telemetry is off (the default), and @opentelemetry/api is never loaded. */
  telemetry: TelemetryProviders | null
  /** null: no per-call limits (the default), and no limiter is registered. */
  rateLimit: ResolvedRateLimit | null
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

function hasMethods (value: unknown, methods: readonly string[]): boolean {
  return value !== null && typeof value === 'object' && methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
}

function resolveTaskOptions (options: McpTransportOptions['tasks']): ResolvedTaskOptions {
  const tasks = options === undefined ? {} : options
  if (tasks === null || typeof tasks !== 'object') throw new FST_MCP_INVALID_OPTION('tasks', JSON.stringify(tasks), 'an object')
  const { store, signals } = tasks
  if (store !== undefined && !hasMethods(store, TASK_STORE_METHODS)) {
    throw new FST_MCP_INVALID_OPTION('tasks.store', String(store), `a TaskStore (an object with ${TASK_STORE_METHODS.join(', ')})`)
  }
  if (signals !== undefined && !hasMethods(signals, TASK_SIGNALS_METHODS)) {
    throw new FST_MCP_INVALID_OPTION('tasks.signals', String(signals), `TaskSignals (an object with ${TASK_SIGNALS_METHODS.join(', ')})`)
  }
  if ((store === undefined) !== (signals === undefined)) {
    throw new FST_MCP_INVALID_OPTION(store === undefined ? 'tasks.store' : 'tasks.signals', 'missing', 'both tasks.store and tasks.signals, or neither (they must reach the same instances)')
  }
  const maxTasks = integer('tasks.maxTasks', tasks.maxTasks, DEFAULT_MAX_TASKS, 1)
  const maxTasksPerOwner = integer('tasks.maxTasksPerOwner', tasks.maxTasksPerOwner, DEFAULT_MAX_TASKS_PER_OWNER, 1)
  return {
    store: store ?? null,
    signals: signals ?? null,
    maxTasks,
    maxTasksPerOwner,
    leaseTimeout: integer('tasks.leaseTimeout', tasks.leaseTimeout, DEFAULT_TASK_LEASE_TIMEOUT, 1)
  }
}

const TELEMETRY_PARTS: ReadonlyArray<[keyof TelemetryProviders, string[]]> = [
  ['tracerProvider', ['getTracer']],
  ['meterProvider', ['getMeter']],
  ['propagator', ['inject', 'extract']]
]

function telemetry (value: unknown): TelemetryProviders | null {
  const option = value ?? DEFAULT_TELEMETRY
  if (option === false) return null
  if (option === true) return {}
  if (typeof option !== 'object') throw new FST_MCP_INVALID_OPTION('telemetry', JSON.stringify(option), 'true, false or { tracerProvider, meterProvider, propagator }')
  const given = option as Record<string, unknown>
  for (const [name, methods] of TELEMETRY_PARTS) {
    const part = given[name] as Record<string, unknown> | undefined
    if (part === undefined) continue
    if (part === null || typeof part !== 'object' || !methods.every((m) => typeof part[m] === 'function')) {
      throw new FST_MCP_INVALID_OPTION(`telemetry.${name}`, String(part), `an OpenTelemetry ${name} (with ${methods.join(' and ')})`)
    }
  }
  return { tracerProvider: given.tracerProvider, meterProvider: given.meterProvider, propagator: given.propagator } as TelemetryProviders
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
    state,
    tasks: resolveTaskOptions(options.tasks),
    telemetry: telemetry(options.telemetry),
    rateLimit: resolveRateLimit(options.rateLimit)
  }
}
