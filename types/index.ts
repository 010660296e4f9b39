// The public type surface of fastify-mcp-transport: plugin options, the contract between
// transport and MCP server, and the Fastify decorator this plugin adds.
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { FastifyCorsOptions } from '@fastify/cors'
// Types only: @opentelemetry/api is an optional peer dependency, loaded with `telemetry`.
import type { MeterProvider, TextMapPropagator, TracerProvider } from '@opentelemetry/api'
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type {
  JsonRpcNotification,
  JsonRpcRequest,
  RequestId
} from '../lib/protocol/jsonrpc.js'
import type { SessionSummary } from '../lib/sessions/session-registry.js'
import type { EventStore } from '../lib/state/event-store.js'
import type { StateBackend } from '../lib/state/state.js'
import type { TaskEngine } from '../lib/tasks/task-engine.js'
import type { TaskStore } from '../lib/state/task-store.js'
import type { TaskSignals } from '../lib/state/task-signals.js'

export type {
  JsonRpcErrorResponse,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
  JsonRpcResultResponse,
  RequestId
} from '../lib/protocol/jsonrpc.js'
export type { SessionSummary } from '../lib/sessions/session-registry.js'
export type { EventStore, StoredEvent } from '../lib/state/event-store.js'
export type { MemoryEventStoreOptions } from '../lib/state/memory/memory-event-store.js'
export type { StateBackend, SharedState } from '../lib/state/state.js'
export type {
  TaskError,
  TaskInputRequest,
  TaskPage,
  TaskPatch,
  TaskRecord,
  TaskStatus,
  TaskStore
} from '../lib/state/task-store.js'
export type { TaskSignal, TaskSignalListener, TaskSignals } from '../lib/state/task-signals.js'
export type { MemoryTaskStoreOptions } from '../lib/state/memory/memory-task-store.js'
export type { TaskEngine, TaskRun, TaskStartOptions, TaskWork, CancelOutcome } from '../lib/tasks/task-engine.js'

export type { Result } from '../lib/protocol/jsonrpc.js'
import type { Result } from '../lib/protocol/jsonrpc.js'

export type LoggingLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency'

export interface Implementation {
  name: string
  version: string
  title?: string
}

/** What the transport knows of a session (legacy era), shared with the server. */
export interface McpSessionInfo {
  readonly id: string
  /** Negotiated during initialize; '' until then. */
  readonly protocolVersion: string
  readonly clientCapabilities: Record<string, unknown>
  readonly clientInfo: Implementation | undefined
  /** Set by logging/setLevel; undefined means the client asked for no filtering. */
  logLevel: LoggingLevel | undefined
  /** Server-owned per-session state (subscriptions, counters); released with the session. */
  readonly state: Map<string, unknown>
}

export interface OutboundRequestOptions {
  /** Milliseconds before the request is cancelled with notifications/cancelled. */
  timeout?: number
  /**
   * McpServerHost.request only: when it aborts, the request is given up on (the client gets
   * notifications/cancelled) and the promise rejects with its reason. A request made inside
   * a handler already ends with its client request.
   */
  signal?: AbortSignal
}

/** Everything a server needs to answer one client request. */
export interface RequestContext {
  readonly requestId: RequestId
  readonly method: string
  /** The session, for session-based (legacy era) requests. */
  readonly session: McpSessionInfo | undefined
  readonly protocolVersion: string
  readonly clientCapabilities: Record<string, unknown>
  /**
   * Modern era (2026-07-28, no session): the `_meta` "io.modelcontextprotocol/logLevel" the
   * request set; without one the request gets no log messages. Unset for legacy requests,
   * whose threshold is the session's logLevel.
   */
  readonly logLevel?: LoggingLevel | undefined
  /**
   * The headers of the HTTP request that carried this message (modern era: e.g. SEP-2243
   * Mcp-Param-* values; both eras: what `forwardHeaders` passes on to route tools).
   */
  readonly httpHeaders?: IncomingHttpHeaders
  /** Aborted when the client cancels the request or its session ends. */
  readonly signal: AbortSignal
  /** The `_meta.progressToken` the client sent, if any. */
  readonly progressToken: string | number | undefined
  /** The Fastify request logger (server-side logging; not sent to the client). */
  readonly logger: FastifyBaseLogger
  /**
   * With the `auth` option: what `auth.verifyToken` returned for the token of the HTTP
   * request that carried this message (every request is authenticated on its own). Unset
   * without `auth`.
   */
  readonly authInfo?: AuthInfo | undefined
  /** Sends a notification related to this request on this request's stream. */
  notify (notification: Omit<JsonRpcNotification, 'jsonrpc'>): void
  /**
   * Closes this request's SSE connection without ending its stream, so the client polls
   * back with Last-Event-ID (2025-11-25 §Sending Messages #6). False when the stream is not
   * resumable (no event store, or a JSON answer) and nothing was closed.
   */
  closeStream (): boolean
  /** Sends a request to the client on this request's stream and waits for its answer. */
  request (method: string, params?: Result, options?: OutboundRequestOptions): Promise<Result>
}

export interface NotificationContext {
  readonly session: McpSessionInfo | undefined
  readonly logger: FastifyBaseLogger
  /** With the `auth` option: the verified token of the HTTP request that carried the notification. */
  readonly authInfo?: AuthInfo | undefined
}

/** What the transport offers a server for messages that are not tied to a request. */
export interface McpServerHost {
  /**
   * Sends a notification on one session's standalone (GET) stream. With a shared state
   * (`redisState`) the stream may be held by another instance: the answer is then a promise
   * of whether the session had one.
   */
  notify (sessionId: string, notification: Omit<JsonRpcNotification, 'jsonrpc'>): boolean | Promise<boolean>
  /** Sends a notification to every session's standalone stream; returns how many took it (a promise with a shared state). */
  broadcast (notification: Omit<JsonRpcNotification, 'jsonrpc'>): number | Promise<number>
  /**
   * Sends a request to one session's client on its standalone (GET) stream, unrelated to any
   * client request (e.g. roots/list after notifications/roots/list_changed), and waits for the
   * answer the client POSTs. Rejects at once when the session is unknown or has no standalone
   * stream open, after `options.timeout` (requestTimeout by default) with
   * notifications/cancelled sent, and when the session ends. The caller checks the client's
   * capabilities first (McpSessionInfo.clientCapabilities).
   */
  request (sessionId: string, method: string, params?: Result, options?: OutboundRequestOptions): Promise<Result>
  /**
   * Modern era (2026-07-28): sends a notification to every subscriptions/listen stream whose
   * filter asked for it (e.g. notifications/resources/updated for a URI it listed); returns
   * how many took it. Optional so hosts written before 2026-07-28 still type-check.
   */
  publish? (notification: Omit<JsonRpcNotification, 'jsonrpc'>): number | Promise<number>
  /**
   * resources/subscribe: the session wants notifications/resources/updated for `uri`. The
   * transport keeps it with the session (in its shared record with a shared state).
   */
  subscribe? (sessionId: string, uri: string): void
  /** resources/unsubscribe; idempotent. */
  unsubscribe? (sessionId: string, uri: string): void
  /**
   * With a shared state: the keys every instance signs 2026-07-28 requestState with (the
   * first signs, all verify). A server without keys of its own uses them.
   */
  readonly requestStateKeys?: readonly Uint8Array[]
  /** Sends `notification` to the standalone stream of every session subscribed to `uri`; how many took it. */
  notifySubscribers? (uri: string, notification: Omit<JsonRpcNotification, 'jsonrpc'>): number | Promise<number>
  /**
   * The tasks engine (io.modelcontextprotocol/tasks 2026-07-28, 2025-11-25 tasks): durable
   * tasks in the transport's task store, reachable from any instance sharing it. Optional
   * so hosts without tasks still type-check; a server offers tasks only when it is there.
   */
  readonly tasks?: TaskEngine
  /**
   * True when lists must leave out what the request's token may not use (the `auth` option
   * with listUnauthorized 'hide', the default); servers compare `context.authInfo` with
   * their access rules. Optional so older hosts still type-check (unset: show everything).
   */
  readonly hideUnauthorized?: boolean
  /**
   * True with a shared state (`redisState`): other instances serve the same sessions, so a
   * client's next request, or a stream of it, may be held by another instance.
   */
  readonly clustered?: boolean
}

/**
 * The one contract between transport and server. The built-in server (createMcpServer)
 * and the official-SDK adapter both implement it; the transport never knows which.
 */
export interface McpServerContract {
  /** Answers a client request with a result, or throws McpError for a JSON-RPC error. */
  handleRequest (request: JsonRpcRequest, context: RequestContext): Promise<Result> | Result
  /** Client notifications other than notifications/cancelled (which the transport handles). */
  handleNotification? (notification: JsonRpcNotification, context: NotificationContext): void | Promise<void>
  /** Called once at registration with the host API. */
  attach? (host: McpServerHost): void
  /** Called when a session ends, however it ends. */
  sessionClosed? (session: McpSessionInfo): void
  /**
   * The access rule of what a request targets (the tool of tools/call, the prompt of
   * prompts/get, the resource or template of resources/read and resources/subscribe), or
   * undefined when it has none. With the `auth` option the transport checks it before the
   * handler runs, so a refused call is answered 403 insufficient_scope with the scopes it
   * needs, before any streaming starts. Optional: a server without it has no per-item rules.
   */
  accessRule? (request: JsonRpcRequest): AccessRule | undefined
  /** Every scope some access rule asks for: announced in the Protected Resource Metadata's scopes_supported unless the user set that list. */
  declaredScopes? (): string[]
}

/**
 * What a token needs to use one tool, prompt, resource or resource template (2025-11-25
 * authorization §Scope Challenge Handling). Applies with the `auth` option; a token that
 * lacks it is answered 403 with `WWW-Authenticate: Bearer error="insufficient_scope",
 * scope="…"` before the handler runs, and lists hide the item (auth.listUnauthorized).
 */
export interface AccessRule {
  /** Scopes the token must grant, all of them. Default none. */
  scopes?: string[]
  /** A rule scopes cannot express (a tenant, a role claim): false refuses the token. Default none. */
  authorize?: (auth: AuthInfo) => boolean
}

export type ResponseMode = 'auto' | 'json' | 'sse'

/**
 * A verified access token, as `auth.verifyToken` returns it: the official SDK's AuthInfo
 * plus `subject`, with `resource` as a string. Handlers get it as `ctx.authInfo`; SDK
 * servers behind fromSdkServer get it as `extra.authInfo` (`resource` as a URL there).
 */
export interface AuthInfo {
  /** The access token itself, for handlers that call other services on the user's behalf. */
  token: string
  /** The OAuth client the token was issued to. Owns the sessions it creates when `subject` is unset. */
  clientId: string
  /** The scopes the token grants; checked against `auth.requiredScopes`. */
  scopes: string[]
  /** When the token expires, in seconds since the epoch: an expired token gets 401 even if the verifier forgot to check. */
  expiresAt?: number
  /**
   * The audience the token was issued for (RFC 8707 resource indicator). When set it must be
   * this server's `resourceMetadata.resource` (scheme and host compared case-insensitively, a
   * trailing slash ignored), or the request gets 401: a token meant for another server is
   * never accepted (2025-11-25 authorization §Token Audience Binding and Validation).
   */
  resource?: string
  /** The user the token acts for (`sub`). Sessions are bound to it, or to `clientId` without it. */
  subject?: string
  /** Anything else the verifier wants handlers to see (claims, tenant, roles). */
  extra?: Record<string, unknown>
}

/**
 * RFC 9728 Protected Resource Metadata, served as given at
 * `/.well-known/oauth-protected-resource` and the path-suffixed URL of `resource`.
 */
export interface ProtectedResourceMetadata {
  /** This server's canonical URI, the audience clients ask tokens for: absolute http(s), no fragment, e.g. 'https://mcp.example.com/mcp'. */
  resource: string
  /** Issuer URLs of the authorization servers that issue tokens for this server; at least one. */
  authorization_servers: string[]
  /** The scopes clients may ask for. */
  scopes_supported?: string[]
  /** Any other RFC 9728 field (bearer_methods_supported, resource_name, ...). */
  [field: string]: unknown
}

/**
 * The `auth` option: the MCP routes become an OAuth 2.1 resource server (2025-11-25
 * authorization). Every request needs `Authorization: Bearer <token>`; the plugin checks
 * the header's syntax, expiry, audience and scopes, and `verifyToken` does the rest.
 */
export interface AuthOptions {
  /**
   * Checks a bearer token and says who it belongs to. It must check the signature (or ask
   * the authorization server: introspection), the expiry, and that the audience is this
   * server. Throw to refuse it: the client gets 401 invalid_token with a generic message
   * (what was thrown is logged at debug level), or 403 insufficient_scope when it throws
   * `errors.FST_MCP_INSUFFICIENT_SCOPE`. Required.
   */
  verifyToken (token: string, request: FastifyRequest): AuthInfo | Promise<AuthInfo>
  /** RFC 9728 Protected Resource Metadata, served at the root of the app. Required. */
  resourceMetadata: ProtectedResourceMetadata
  /** Scopes every MCP request needs; a token without them gets 403 insufficient_scope. Default none. */
  requiredScopes?: string[]
  /**
   * The metadata URL announced in `WWW-Authenticate: Bearer resource_metadata="..."`. Default:
   * the path-suffixed well-known URL of `resource` (`https://h/mcp` →
   * `https://h/.well-known/oauth-protected-resource/mcp`).
   */
  resourceMetadataUrl?: string
  /**
   * What tools/list, prompts/list, resources/list and resources/templates/list do with items
   * whose access rule the token does not meet: 'hide' leaves them out, 'show' lists them
   * (calling one then gets the 403 scope challenge, for step-up). Default 'hide'.
   */
  listUnauthorized?: 'hide' | 'show'
}

/** One limit: at most `max` calls per `timeWindow` for one client. */
export interface CallLimit {
  /** Calls allowed per window. Required. */
  max: number
  /** The window in milliseconds. Default: the rateLimit option's timeWindow. */
  timeWindow?: number
}

/**
 * The `rateLimit` option: limits on tools/call, counted per call (a 2025-03-26 batch of 500
 * calls counts 500) per tool and per client: the token's subject, its client id without
 * one, the client address without `auth`. Built on @fastify/rate-limit's createRateLimit,
 * so its stores apply: in memory by default, Redis with `redis`.
 */
export interface RateLimitOptions {
  /** Calls per window every tool allows a client, unless `tools` says otherwise. Default: no limit for tools not in `tools`. */
  max?: number
  /** The window in milliseconds. Default 60000 (one minute). */
  timeWindow?: number
  /** Per-tool limits by tool name; false exempts a tool from the default. Default none. */
  tools?: Record<string, CallLimit | false>
  /**
   * An ioredis client: the counts are shared by every instance using the same Redis
   * (RedisStore). Default: the `redisState` client when the state is Redis (and `store` is
   * unset), else in memory, per instance.
   */
  redis?: unknown
  /** A custom @fastify/rate-limit store class, instead of the memory or Redis one. */
  store?: FastifyRateLimitStoreCtor
  /** Prefix of the Redis keys. Default 'mcp-rate-limit-'. */
  nameSpace?: string
}

/**
 * Where the `telemetry` option sends spans and metrics, and how it reads and writes trace
 * context in `params._meta`. Each one defaults to the global one of @opentelemetry/api (what
 * the OpenTelemetry Node SDK registers).
 */
export interface McpTelemetryOptions {
  /** Default: the global tracer provider. */
  tracerProvider?: TracerProvider
  /** Default: the global meter provider. */
  meterProvider?: MeterProvider
  /** Reads and writes `traceparent`/`tracestate`/`baggage` in `_meta`. Default: the global propagator. */
  propagator?: TextMapPropagator
}

export interface McpTransportOptions {
  /** The MCP server: createMcpServer(...) or any McpServerContract. Required. */
  server: McpServerContract
  /** The MCP endpoint path. Default '/mcp'. */
  path?: string
  /** Largest accepted request body in bytes, enforced while reading. Default 4 MiB (4194304). */
  bodyLimit?: number
  /**
   * After a 413, bytes of the rest of the body read and discarded so the client reads the
   * answer instead of a connection reset; a body longer than this has its connection cut.
   * Default 16 MiB (16777216).
   */
  lingerBytes?: number
  /** After a 413, milliseconds a body may keep arriving before its connection is cut. Default 5000. */
  lingerTimeout?: number
  /** Milliseconds a session may stay idle (no request, no open stream) before it expires. Default 30 minutes; 0 disables expiry. */
  sessionTimeout?: number
  /** Most live sessions; initialize beyond it gets 503. Default 10000. */
  maxSessions?: number
  /** Milliseconds between SSE keep-alive comments; 0 disables them. Default 15000. */
  heartbeatInterval?: number
  /** How a request is answered: 'auto' (JSON unless the handler sends something first), 'json', or 'sse'. Default 'auto'. */
  responseMode?: ResponseMode
  /** Milliseconds a server-to-client request (sampling, elicitation, roots) waits. Default 60000. */
  requestTimeout?: number
  /** Bytes an SSE stream may queue for a slow reader before it is closed. Default 1 MiB. */
  maxStreamQueueBytes?: number
  /**
   * Origins allowed to call the endpoint (exact `scheme://host[:port]`, or '*').
   * Default: loopback origins, and the origin that matches the request's own Host.
   */
  allowedOrigins?: string[]
  /**
   * Host header values allowed (hostname or hostname:port), or false to skip the check.
   * Default: on connections to a loopback address, only localhost, 127.0.0.1 and [::1].
   */
  allowedHosts?: string[] | false
  /** Registers @fastify/cors for the MCP routes with MCP's headers allowed and exposed. Default false. */
  cors?: boolean | FastifyCorsOptions
  /**
   * Keeps SSE events so clients resume with Last-Event-ID. Default: a MemoryEventStore
   * (1,000 events per stream, 100,000 in all); false turns resumability off (no event ids,
   * no priming events).
   */
  eventStore?: EventStore | false
  /** The `retry` (ms) sent in priming events: how long a client waits before reconnecting. Default 1000. */
  retryInterval?: number
  /** Most open SSE connections per session; more gets 503. Default 32. */
  maxStreamsPerSession?: number
  /** Most client requests in flight per session; more gets 503. Default 128. */
  maxRequestsPerSession?: number
  /** Most server-to-client requests waiting per session; more fail at once. Default 32. */
  maxPendingPerSession?: number
  /** Milliseconds app.close() waits for in-flight requests before aborting them. Default 5000. */
  shutdownTimeout?: number
  /** Health routes. Default ['/health', '/mcp/health']; false disables them. */
  health?: string[] | false
  /**
   * Serves the deprecated HTTP+SSE transport of protocol 2024-11-05 for older clients and
   * for mcp-remote's fallback: GET /sse (the session's stream; its first event names the
   * URI to POST to) and POST /messages?sessionId=… (answers 202; responses go over the
   * stream). POST /sse answers 405 so clients trying Streamable HTTP there fall back.
   * Paths sit under the prefix of the context the plugin is registered in. Default true.
   */
  legacySse?: boolean
  /**
   * Keeps the original design's session paths: GET `${path}/sse/:sessionId` (as GET
   * `${path}` with that Mcp-Session-Id) and DELETE `${path}/sessions/:sessionId` (as DELETE
   * `${path}`), with the same Origin, session, version and Accept checks. Deprecated: new
   * clients use the headers on `${path}`. Default true.
   */
  deprecatedRoutes?: boolean
  /**
   * OAuth 2.1 authorization (2025-11-25 authorization): bearer tokens on every MCP route,
   * Protected Resource Metadata at `/.well-known/oauth-protected-resource[/<path>]`, sessions
   * bound to the identity that created them. Default: off (no check, no metadata routes).
   */
  auth?: AuthOptions
  /**
   * Where sessions, event logs and delivery between instances live. Default: memory (this
   * process is the whole server). `redisState({ client })`: N instances on one Redis serve
   * every session, with no affinity (see the README's "Past one machine"). With a shared
   * state `eventStore` is not used (the event log is in Redis) and `sessionTimeout` must be
   * above 0 (every key has a TTL).
   */
  state?: StateBackend
  /** Where tasks live and how they are bounded (tools with taskSupport; see McpTaskOptions). */
  tasks?: McpTaskOptions
  /**
   * OpenTelemetry traces and metrics by the MCP semantic conventions: a SERVER span per
   * client request (parent: the trace context in `params._meta`), the
   * mcp.server.operation.duration and mcp.server.session.duration histograms, live-count
   * metrics, and the request's context in the `_meta` of what the server sends. Needs the
   * optional peer dependency @opentelemetry/api. `true` uses its global providers; an object
   * names them. Default false: nothing is loaded and no request pays for it.
   */
  telemetry?: boolean | McpTelemetryOptions
  /**
   * Per-call limits on tools/call (see RateLimitOptions): a call over its limit is refused
   * before its handler runs, with HTTP 429, Retry-After and RateLimit-* headers when it came
   * alone in its POST, and a JSON-RPC error whose data.retryAfterMs says when to retry.
   * Default: off (no limiter, nothing per request).
   */
  rateLimit?: RateLimitOptions
}

/**
 * The `tasks` option. Defaults: a MemoryTaskStore (10,000 tasks in all, 100 live tasks per
 * owner, expired tasks swept every minute) and in-process signals, both closed with the app.
 */
export interface McpTaskOptions {
  /** Where tasks are kept. A store passed in is shared, and not closed by the plugin. Default: a MemoryTaskStore. */
  store?: TaskStore
  /** How instances reach a task's runner and listeners. Passed in: not closed by the plugin. Default: in-process. */
  signals?: TaskSignals
  /**
   * Milliseconds a running task's lease lasts (renewed every third of it). A reader that
   * finds a live task whose lease ran out marks it `failed`: the instance running it died.
   * Default 30000.
   */
  leaseTimeout?: number
  /** Most tasks the default store keeps (live or finished, until their TTL). Default 10000. Ignored with `store`. */
  maxTasks?: number
  /** Most live tasks one owner may have in the default store. Default 100. Ignored with `store`. */
  maxTasksPerOwner?: number
}

/**
 * The server itself as the plugin's options: the design card's `register(mcpTransport, server)`,
 * with every option at its default (prefix included). It is recognised by its contract
 * (`handleRequest`); an object that also names an option is refused by the types, since its
 * options would be ignored: use `{ server, ...options }` for those.
 */
export type McpServerAsOptions = McpServerContract & { [Option in keyof McpTransportOptions]?: never }

/** What `register(mcpTransport, ...)` takes: `{ server, ...options }`, or the server alone. */
export type McpTransportPluginOptions = McpTransportOptions | McpServerAsOptions

/**
 * `fastify.mcpSessions`: the plugin's live sessions, as the application sees them. Sessions
 * are created by initialize only; what a session holds inside (streams, in-flight work, its
 * owner) stays the transport's.
 */
export interface McpSessions {
  /** Live sessions now. */
  readonly size: number
  /** Sessions created since the plugin started. */
  readonly totalCreated: number
  get (id: string): McpSessionInfo | undefined
  has (id: string): boolean
  /** A snapshot of every live session (for dashboards and admin routes). */
  list (): SessionSummary[]
  /** Ends a session: its streams close, its work is aborted, later use gets 404. */
  close (id: string): boolean
  /**
   * Sends a notification on one session's standalone stream; false if it has none. With a
   * shared state the stream may be on any instance, and the answer is a promise.
   */
  notify (id: string, notification: Omit<JsonRpcNotification, 'jsonrpc'>): boolean | Promise<boolean>
  /** Sends a notification to every session with a standalone stream; returns how many (a promise with a shared state). */
  broadcast (notification: Omit<JsonRpcNotification, 'jsonrpc'>): number | Promise<number>
}

/**
 * Which operations (Fastify routes, or OpenAPI operations) become tools. Every field that is
 * set must match; unset fields match everything.
 */
export interface ApiToolRule {
  /** HTTP methods, in any case: ['GET', 'POST']. */
  methods?: string[]
  /**
   * The route's URL as declared (`/orders/:id`) or the OpenAPI path (`/orders/{id}`): a
   * string in which `*` stands for any characters, or a RegExp.
   */
  url?: string | RegExp
  /** Matches an operation with at least one of these tags (`schema.tags`). */
  tags?: string[]
}

/** What one route's `config.mcp` (or an OpenAPI operation's `x-mcp`) may say about its tool. */
export interface McpRouteConfig {
  /** The tool's name. Default: the `operationId`, else a name derived from method and URL. */
  name?: string
  title?: string
  /** Default: the schema's `summary` and `description`. */
  description?: string
  /** Merged over the annotations derived from the method. */
  annotations?: Record<string, unknown>
}

/** Options shared by `server.routes(app, options)` and `server.openapi(document, options)`. */
export interface ApiToolOptions {
  /** Operations that become tools: one rule or a list (any may match). Default: every operation. */
  include?: ApiToolRule | ApiToolRule[]
  /** Operations that never become tools, even when included. Default: none. */
  exclude?: ApiToolRule | ApiToolRule[]
  /**
   * Headers of the MCP request passed on to the operation, by name (any case). Nothing
   * else of the MCP request is forwarded. Default: none.
   */
  forwardHeaders?: string[]
  /** Largest answer body in bytes a tool reads; a larger one is an isError result. Default 4 MiB (4194304). */
  maxAnswerBytes?: number
}

export interface RouteToolOptions extends ApiToolOptions {
  /**
   * With the plugin's `auth` option: sends the MCP request's verified token to the route as
   * `Authorization: Bearer <token>`. The route is part of this server, the token's
   * audience, so this is not token passthrough to another service. Default false.
   */
  forwardToken?: boolean
}

export interface OpenApiToolOptions extends ApiToolOptions {
  /** Where the API is served: the operations' paths are appended to it. Required. */
  baseUrl: string
  /** Milliseconds an HTTP call may take before it is aborted and answered as an isError result. Default 30000. */
  timeout?: number
  /**
   * Extra headers for every call, computed per call (e.g. credentials for the API, from a
   * token exchange). Runs after forwardHeaders and wins over them. Default none.
   */
  headers?: (context: RequestContext) => Record<string, string> | Promise<Record<string, string>>
  /** Where skipped operations are reported (a pino-like logger). Default: not reported. */
  logger?: Pick<FastifyBaseLogger, 'debug' | 'info' | 'warn'>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The MCP sessions of fastify-mcp-transport. */
    mcpSessions: McpSessions
  }
  interface FastifyRequest {
    /**
     * With the `auth` option, on the MCP routes: the verified token of this request (set by
     * the bearer guard before any handler runs). Undefined elsewhere and without `auth`.
     */
    mcpAuth: AuthInfo | undefined
  }
  interface FastifyContextConfig {
    /**
     * fastify-mcp-transport's `server.routes(app)`: true or a McpRouteConfig makes this
     * route a tool whatever the include rules say; false keeps it out.
     */
    mcp?: boolean | McpRouteConfig
  }
}
