// Type tests of the public surface, in the tsd style Fastify plugins use (expectType,
// expectError), checked by the TypeScript compiler alone: `tsc -p types/tsconfig.json`
// (part of `npm run build`, so of every `npm test`). Nothing here runs.
//
// - expectType<T>(value): the value is assignable to T.
// - assertType<Equal<A, B>>(true): A and B are the same type, not just assignable (an `any`
//   or a wider type fails it).
// - `// @ts-expect-error` is expectError: the next line must not compile; if it does, tsc
//   fails with "Unused '@ts-expect-error' directive". Each one has a twin above it that
//   compiles, so it fails for the reason named, not for a typo.
//
// Imports are the relative sources of the two entry points ('.' and './adapters'): the
// .d.ts files in dist/ are generated from exactly these, and they exist before a build.
import Fastify, {
  type FastifyBaseLogger,
  type FastifyContextConfig,
  type FastifyInstance,
  type FastifyRequest,
  type FastifyTypeProvider
} from 'fastify'
import { Type, type Static } from '@sinclair/typebox'
import { Redis, Cluster } from 'ioredis'
import { metrics, propagation, trace } from '@opentelemetry/api'
import { McpServer as SdkMcpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { Server as SdkServer } from '@modelcontextprotocol/sdk/server/index.js'
import mcpTransport, {
  type AccessRule,
  type RateLimitOptions,
  ErrorCode,
  LATEST_LEGACY_VERSION,
  LEGACY_VERSIONS,
  McpError,
  McpServer,
  createMcpServer,
  errors,
  mcpTransport as namedMcpTransport,
  type AuthInfo,
  type AuthOptions,
  type CallToolResult,
  type CreateMessageResult,
  type ElicitResult,
  type EventStore,
  type GetPromptResult,
  type HandlerContext,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type ListRootsResult,
  type LoggingLevel,
  type McpServerContract,
  type McpServerHost,
  type McpSessionInfo,
  type McpTelemetryOptions,
  type McpTransportOptions,
  type McpTransportPluginOptions,
  type NotificationContext,
  type RequestContext,
  type RequestId,
  type ResourceReadResult,
  type ResponseMode,
  type Result,
  type McpSessions,
  type SessionSummary,
  type StoredEvent,
  type TemplateVariables,
  type ToolHandler,
  redisState,
  memoryState,
  type StateBackend,
  MemoryTaskSignals,
  MemoryTaskStore,
  TaskCapacityError,
  type McpTaskOptions,
  type TaskEngine,
  type TaskRecord,
  type TaskSignals,
  type TaskStatus,
  type TaskStore,
  type TaskSupport,
  type ApiToolRule,
  type McpRouteConfig,
  type OpenApiToolOptions,
  type RouteToolOptions
} from '../lib/index.js'
import {
  SdkServerAdapter,
  SdkSessionTransport,
  fromSdkServer,
  type SdkServerFactory,
  type SdkServerLike
} from '../lib/adapters/index.js'

// ---------------------------------------------------------------------------------------
// Helpers (tsd's, reduced to what the compiler checks on its own)

/** Exact type equality: true only when A and B are identical (any, unions and optionality count). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false

function expectType<T> (_value: T): void {}
function assertType<T extends true> (_value: T): void {}

// ---------------------------------------------------------------------------------------
// The entry points

assertType<Equal<typeof namedMcpTransport, typeof mcpTransport>>(true)
assertType<Equal<typeof createMcpServer, (options: Parameters<typeof createMcpServer>[0]) => McpServer>>(true)
assertType<Equal<typeof LEGACY_VERSIONS, readonly ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']>>(true)
assertType<Equal<typeof LATEST_LEGACY_VERSION, '2025-11-25'>>(true)

// ---------------------------------------------------------------------------------------
// createMcpServer and its tools (README §Use, §The built-in server)

const server = createMcpServer({ name: 'demo', version: '1.0.0' })
assertType<Equal<typeof server, McpServer>>(true)
expectType<McpServerContract>(server)

createMcpServer({
  name: 'demo',
  version: '1.0.0',
  title: 'Demo',
  instructions: 'Use the add tool',
  cache: { ttlMs: 60_000, cacheScope: 'public' },
  requestStateKey: 'a shared secret',
  requestStateTtl: 600_000
})
createMcpServer({ name: 'demo', version: '1.0.0', requestStateKey: new Uint8Array(32) })
// @ts-expect-error version is required
createMcpServer({ name: 'demo' })
// @ts-expect-error cacheScope is 'public' or 'private'
createMcpServer({ name: 'demo', version: '1.0.0', cache: { cacheScope: 'shared' } })
// @ts-expect-error requestStateKey is a string or bytes
createMcpServer({ name: 'demo', version: '1.0.0', requestStateKey: 42 })

const AddInput = Type.Object({ a: Type.Number(), b: Type.Number() })

// The handler's context: the request context plus the MCP helpers.
server.tool('countdown', {
  description: 'Counts down, reporting progress',
  input: Type.Object({ n: Type.Integer() })
}, async (_args, ctx) => {
  assertType<Equal<typeof ctx, HandlerContext>>(true)
  assertType<Equal<typeof ctx.signal, AbortSignal>>(true)
  assertType<Equal<typeof ctx.authInfo, AuthInfo | undefined>>(true)
  assertType<Equal<typeof ctx.progress, (progress: number, total?: number, message?: string) => void>>(true)
  assertType<Equal<typeof ctx.log, (level: LoggingLevel, data: unknown, logger?: string) => void>>(true)
  assertType<Equal<typeof ctx.session, McpSessionInfo | undefined>>(true)
  assertType<Equal<typeof ctx.requestId, RequestId>>(true)
  assertType<Equal<typeof ctx.progressToken, string | number | undefined>>(true)
  assertType<Equal<typeof ctx.protocolVersion, string>>(true)
  assertType<Equal<typeof ctx.logger, FastifyBaseLogger>>(true)
  assertType<Equal<ReturnType<typeof ctx.closeStream>, boolean>>(true)
  assertType<Equal<ReturnType<typeof ctx.request>, Promise<Result>>>(true)
  assertType<Equal<ReturnType<typeof ctx.sample>, Promise<CreateMessageResult>>>(true)
  assertType<Equal<ReturnType<typeof ctx.elicit>, Promise<ElicitResult>>>(true)
  assertType<Equal<ReturnType<typeof ctx.listRoots>, Promise<ListRootsResult>>>(true)

  ctx.progress(1, 10, 'step 1')
  ctx.log('info', 'step 1')
  ctx.log('warning', { detail: true }, 'countdown')
  ctx.notify({ method: 'notifications/message', params: { level: 'info', data: 'x' } })
  await ctx.request('roots/list', {}, { timeout: 1000 })
  await ctx.elicit({ message: 'Sure?', requestedSchema: { type: 'object' } }, { key: 'confirm' })
  // @ts-expect-error progress is a number
  ctx.progress('1')
  // @ts-expect-error 'verbose' is not an RFC 5424 level
  ctx.log('verbose', 'step 1')
  // @ts-expect-error a notification needs a method
  ctx.notify({ params: {} })
  // @ts-expect-error the signal is read-only
  ctx.signal = new AbortController().signal
  if (ctx.authInfo !== undefined) expectType<string[]>(ctx.authInfo.scopes)
  return 'Liftoff!'
})

// What a handler may return: text, or a CallToolResult, sync or async.
server.tool('text', {}, () => 'a string is a text result')
server.tool('result', {}, async () => ({ content: [{ type: 'text', text: '3' }], structuredContent: { sum: 3 } }))
server.tool('error', {}, () => ({ content: [{ type: 'text', text: 'no' }], isError: true }))
// @ts-expect-error a number is not a tool result
server.tool('number', {}, async () => 42)
// @ts-expect-error a CallToolResult needs content
server.tool('no-content', {}, () => ({ structuredContent: { sum: 3 } }))
// @ts-expect-error a tool needs a handler
server.tool('no-handler', {})
// @ts-expect-error the definition's fields have their types
server.tool('bad-definition', { description: 1 }, () => 'x')
expectType<ToolHandler>(() => ({ content: [] }))
assertType<Equal<Awaited<ReturnType<ToolHandler>>, CallToolResult | string>>(true)

// The arguments: a TypeBox `input` types them, with or without an annotation; a handler that
// disagrees with its schema does not compile (no silent fallback to untyped arguments).
server.tool('add', { input: AddInput }, async (args: Static<typeof AddInput>) => {
  assertType<Equal<typeof args, { a: number, b: number }>>(true)
  return String(args.a + args.b)
})
server.tool('inferred', { input: AddInput }, (args) => {
  assertType<Equal<typeof args, { a: number, b: number }>>(true)
  return String(args.a + args.b)
})
// @ts-expect-error inferred from the schema: `a` is a number
server.tool('inferred-wrong', { input: AddInput }, ({ a }) => a.toUpperCase())
// @ts-expect-error an annotation must agree with the schema
server.tool('annotated-wrong', { input: AddInput }, (args: { a: string }) => args.a)
// A plain JSON Schema cannot be read by the compiler: the handler says what it gets.
const PlainInput = { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }
server.tool('plain', { input: PlainInput }, ({ q }: { q: string }) => q.toUpperCase())
server.tool<{ q: string }>('plain-typed', { input: PlainInput }, ({ q }) => q.toUpperCase())
// @ts-expect-error the type argument types the arguments of a plain-schema tool
server.tool<{ q: string }>('plain-wrong', { input: PlainInput }, ({ q }) => q.toFixed())

// Registration methods chain; removal and updates report what they did.
assertType<Equal<ReturnType<typeof server.tool>, McpServer>>(true)
assertType<Equal<ReturnType<typeof server.removeTool>, boolean>>(true)
// A promise with a shared state: subscribers may be served by other instances.
assertType<Equal<ReturnType<typeof server.resourceUpdated>, number | Promise<number>>>(true)
server
  .resource('readme', 'file:///readme.md', { mimeType: 'text/markdown' }, (uri, ctx) => {
    assertType<Equal<typeof uri, string>>(true)
    assertType<Equal<typeof ctx, HandlerContext>>(true)
    return '# Readme'
  })
  .resource('logo', 'file:///logo.png', {}, async () => new Uint8Array([1, 2, 3]))
  .resourceTemplate('logs', 'file:///logs/{date}', {
    complete: { date: (value) => [`${value}-01`] }
  }, (uri, variables) => {
    assertType<Equal<typeof variables, TemplateVariables>>(true)
    return { contents: [{ uri, text: variables.date ?? '' }] }
  })
  .prompt('greet', { arguments: [{ name: 'who', required: true }] }, (args, ctx) => {
    assertType<Equal<typeof args, Record<string, string>>>(true)
    assertType<Equal<typeof ctx, HandlerContext>>(true)
    return `Hello ${args.who ?? ''}`
  })
  .prompt('greet2', {}, async (): Promise<GetPromptResult> => ({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }] }))
expectType<ResourceReadResult>('text')
// @ts-expect-error a resource reader returns text, bytes or { contents }
server.resource('bad', 'file:///bad', {}, () => 42)
// @ts-expect-error a prompt message's role is 'user' or 'assistant'
server.prompt('bad', {}, () => ({ messages: [{ role: 'system', content: {} }] }))

// ---------------------------------------------------------------------------------------
// Errors

const mcpError = new McpError(ErrorCode.InvalidParams, 'Invalid params', { field: 'a' })
expectType<Error>(mcpError)
assertType<Equal<typeof mcpError.code, number>>(true)
assertType<Equal<typeof mcpError.data, unknown>>(true)
new McpError(-32001, 'a code of your own')
// @ts-expect-error the code is a number
new McpError('InvalidParams', 'Invalid params')
// @ts-expect-error a message is required
new McpError(ErrorCode.InternalError)

assertType<Equal<typeof ErrorCode.ParseError, -32700>>(true)
assertType<Equal<typeof ErrorCode.InvalidRequest, -32600>>(true)
assertType<Equal<typeof ErrorCode.MethodNotFound, -32601>>(true)
assertType<Equal<typeof ErrorCode.InvalidParams, -32602>>(true)
assertType<Equal<typeof ErrorCode.InternalError, -32603>>(true)
// @ts-expect-error the codes are constants
ErrorCode.InvalidParams = -1

// The FST_MCP_* codes (README §Errors): @fastify/error constructors, typed arguments.
const scopeError = new errors.FST_MCP_INSUFFICIENT_SCOPE('files:write')
assertType<Equal<typeof scopeError.scope, string>>(true)
expectType<string>(scopeError.code)
expectType<Error>(scopeError)
// @ts-expect-error the scope is required
new errors.FST_MCP_INSUFFICIENT_SCOPE()
const parseError = new errors.FST_MCP_PARSE_ERROR()
assertType<Equal<typeof parseError.code, 'FST_MCP_PARSE_ERROR'>>(true)
assertType<Equal<typeof parseError.statusCode, 400>>(true)
expectType<Error>(new errors.FST_MCP_INVALID_TOKEN('expired'))
// @ts-expect-error FST_MCP_INVALID_TOKEN takes its reason, a string
new errors.FST_MCP_INVALID_TOKEN(401)
assertType<Equal<typeof errors.RPC_CODES, Readonly<Record<string, number>>>>(true)

// ---------------------------------------------------------------------------------------
// The plugin's options (README §Options)

const app = Fastify({ logger: true })

const eventStore: EventStore = {
  append (_sessionId: string, _streamId: string, _seq: number, _data: string) {},
  replay (): StoredEvent[] | null { return [] },
  async dropSession () {}
}

const auth: AuthOptions = {
  resourceMetadata: {
    resource: 'https://mcp.example.com/mcp',
    authorization_servers: ['https://auth.example.com'],
    scopes_supported: ['mcp:tools'],
    resource_name: 'Demo'
  },
  requiredScopes: ['mcp:tools'],
  resourceMetadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
  async verifyToken (token, request) {
    assertType<Equal<typeof token, string>>(true)
    assertType<Equal<typeof request, FastifyRequest>>(true)
    if (token === 'read-only') throw new errors.FST_MCP_INSUFFICIENT_SCOPE('mcp:tools')
    return { token, clientId: 'client', scopes: ['mcp:tools'], expiresAt: 1_900_000_000, resource: 'https://mcp.example.com/mcp', subject: 'user', extra: { tenant: 't' } }
  }
}

// Every documented option, with its documented type.
app.register(mcpTransport, {
  server,
  path: '/mcp',
  bodyLimit: 4_194_304,
  lingerBytes: 16_777_216,
  lingerTimeout: 5000,
  sessionTimeout: 1_800_000,
  maxSessions: 10_000,
  heartbeatInterval: 15_000,
  responseMode: 'auto',
  requestTimeout: 60_000,
  maxStreamQueueBytes: 1_048_576,
  allowedOrigins: ['https://app.example.com', '*'],
  allowedHosts: ['localhost', 'mcp.example.com:8443'],
  cors: { allowedHeaders: ['content-type', 'mcp-param-region'] },
  eventStore,
  retryInterval: 1000,
  maxStreamsPerSession: 32,
  maxRequestsPerSession: 128,
  maxPendingPerSession: 32,
  shutdownTimeout: 5000,
  health: ['/health', '/mcp/health'],
  legacySse: true,
  deprecatedRoutes: false,
  auth,
  telemetry: { tracerProvider: trace.getTracerProvider(), meterProvider: metrics.getMeterProvider(), propagator: propagation },
  prefix: '/api'
})
// The alternatives each union allows.
app.register(mcpTransport, { server, responseMode: 'json', allowedHosts: false, cors: true, eventStore: false, health: false })
app.register(mcpTransport, { server, responseMode: 'sse', cors: false })
app.register(mcpTransport, { server, telemetry: true })
app.register(mcpTransport, { server, telemetry: false })
expectType<McpTelemetryOptions>({})
expectType<McpTelemetryOptions>({ meterProvider: metrics.getMeterProvider() })
// Fastify's own register options, and options computed from the instance.
app.register(mcpTransport, { server, prefix: '/api', logLevel: 'warn' })
app.register(mcpTransport, (instance) => ({ server, path: instance.prefix + '/mcp' }))
// The synchronous verifier of the README's Options table.
app.register(mcpTransport, {
  server,
  auth: { resourceMetadata: { resource: 'https://h/mcp', authorization_servers: ['https://a'] }, verifyToken: (token) => ({ token, clientId: 'c', scopes: [] }) }
})
// The design card's form: the server itself, every option at its default.
app.register(mcpTransport, server)
app.register(mcpTransport, { handleRequest: async () => ({}) })
expectType<McpTransportPluginOptions>(server)
expectType<McpTransportPluginOptions>({ server })
// @ts-expect-error options go in { server, ...options }: on the server itself they would be ignored
app.register(mcpTransport, { handleRequest: async () => ({}), bodyLimit: 1024 })
// @ts-expect-error neither a server nor options with one
app.register(mcpTransport, { handleNotification: async () => {} })
expectType<ResponseMode>('sse')
expectType<McpTransportOptions>({ server })

// @ts-expect-error lingerTimeout is milliseconds, a number
app.register(mcpTransport, { server, lingerTimeout: '5s' })
// @ts-expect-error bodyLimit is a number of bytes
app.register(mcpTransport, { server, bodyLimit: '4mb' })
// @ts-expect-error responseMode is 'auto', 'json' or 'sse'
app.register(mcpTransport, { server, responseMode: 'xml' })
// @ts-expect-error server is required
app.register(mcpTransport, { path: '/mcp' })
// @ts-expect-error server is required, so options are too
app.register(mcpTransport)
// @ts-expect-error a server answers handleRequest
app.register(mcpTransport, { server: {} })
// @ts-expect-error unknown options are refused (a typo here is a silent default otherwise)
app.register(mcpTransport, { server, bodyLimt: 1024 })
// @ts-expect-error allowedHosts is a list or false, not true
app.register(mcpTransport, { server, allowedHosts: true })
// @ts-expect-error allowedOrigins is a list
app.register(mcpTransport, { server, allowedOrigins: 'https://app.example.com' })
// @ts-expect-error health is a list of paths or false
app.register(mcpTransport, { server, health: true })
// @ts-expect-error eventStore is an EventStore or false
app.register(mcpTransport, { server, eventStore: true })
// @ts-expect-error cors is a boolean or @fastify/cors options
app.register(mcpTransport, { server, cors: 'https://app.example.com' })
// @ts-expect-error telemetry is a boolean or OpenTelemetry providers
app.register(mcpTransport, { server, telemetry: 'otlp' })
// @ts-expect-error a tracer provider has getTracer
app.register(mcpTransport, { server, telemetry: { tracerProvider: {} } })
// @ts-expect-error sessionTimeout is milliseconds, a number
app.register(mcpTransport, { server, sessionTimeout: '30m' })
// @ts-expect-error legacySse is a boolean
app.register(mcpTransport, { server, legacySse: 'yes' })
// @ts-expect-error auth needs verifyToken
app.register(mcpTransport, { server, auth: { resourceMetadata: { resource: 'https://h/mcp', authorization_servers: ['https://a'] } } })
// @ts-expect-error auth needs resourceMetadata
app.register(mcpTransport, { server, auth: { verifyToken: (token: string) => ({ token, clientId: 'c', scopes: [] }) } })
// @ts-expect-error resourceMetadata needs authorization_servers
app.register(mcpTransport, { server, auth: { ...auth, resourceMetadata: { resource: 'https://h/mcp' } } })
// @ts-expect-error verifyToken returns an AuthInfo: clientId and scopes are required
app.register(mcpTransport, { server, auth: { ...auth, verifyToken: (token: string) => ({ token }) } })
// @ts-expect-error an AuthInfo's resource is a string (a URL only in SDK servers' extra.authInfo)
app.register(mcpTransport, { server, auth: { ...auth, verifyToken: (token: string) => ({ token, clientId: 'c', scopes: [], resource: new URL('https://h/mcp') }) } })
// @ts-expect-error requiredScopes is a list
app.register(mcpTransport, { server, auth: { ...auth, requiredScopes: 'mcp:tools' } })

// ---------------------------------------------------------------------------------------
// Per-item access rules and per-call rate limits (issue 16)

const adminOnly: AccessRule = { scopes: ['repo:admin'], authorize: (info) => info.subject !== undefined }
server.tool('delete_repo', { description: 'Deletes', ...adminOnly }, () => 'deleted')
server.prompt('audit', { scopes: ['repo:admin'] }, () => 'audit')
server.resource('secrets', 'repo://secrets', { authorize: (info) => info.scopes.length > 0 }, () => 'x')
server.resourceTemplate('issues', 'repo://issues/{id}', { scopes: ['repo:read'] }, () => 'x')
// @ts-expect-error scopes is a list
server.tool('bad_scopes', { scopes: 'repo:admin' }, () => 'x')
// @ts-expect-error authorize gets the AuthInfo and answers a boolean
server.tool('bad_authorize', { authorize: (info: AuthInfo) => info.scopes }, () => 'x')
assertType<Equal<ReturnType<McpServer['accessRule']>, AccessRule | undefined>>(true)
app.register(mcpTransport, { server, auth: { ...auth, listUnauthorized: 'show' } })
// @ts-expect-error listUnauthorized is 'hide' or 'show'
app.register(mcpTransport, { server, auth: { ...auth, listUnauthorized: true } })
const limits: RateLimitOptions = { max: 100, timeWindow: 60_000, tools: { expensive: { max: 5 }, free: false }, nameSpace: 'app-' }
app.register(mcpTransport, { server, rateLimit: limits })
app.register(mcpTransport, { server, rateLimit: { tools: { expensive: { max: 1, timeWindow: 1000 } }, redis: {} } })
// @ts-expect-error a per-tool limit needs max
app.register(mcpTransport, { server, rateLimit: { tools: { expensive: { timeWindow: 1000 } } } })
// @ts-expect-error timeWindow is in milliseconds
app.register(mcpTransport, { server, rateLimit: { max: 1, timeWindow: '1 minute' } })

// Apps with a type provider register it the same way.
interface SomeTypeProvider extends FastifyTypeProvider { validator: unknown, serializer: unknown }
Fastify().withTypeProvider<SomeTypeProvider>().register(mcpTransport, { server })

// ---------------------------------------------------------------------------------------
// The decorators, declared on every FastifyInstance and FastifyRequest by module augmentation

assertType<Equal<FastifyInstance['mcpSessions'], McpSessions>>(true)
const sessions = app.mcpSessions
// The public face only: sessions are made by initialize, and their insides stay the transport's.
// @ts-expect-error no create(): a session without a handshake would skip initialize
sessions.create()
// @ts-expect-error no closeAll(): app.close() ends every session
sessions.closeAll()
assertType<Equal<typeof sessions.size, number>>(true)
assertType<Equal<typeof sessions.totalCreated, number>>(true)
assertType<Equal<ReturnType<typeof sessions.has>, boolean>>(true)
assertType<Equal<ReturnType<typeof sessions.close>, boolean>>(true)
assertType<Equal<ReturnType<typeof sessions.notify>, boolean | Promise<boolean>>>(true)
assertType<Equal<ReturnType<typeof sessions.broadcast>, number | Promise<number>>>(true)
// get: a live session (at least what McpSessionInfo promises), or undefined.
const found = sessions.get('id')
assertType<Equal<typeof found, McpSessionInfo | undefined>>(true)
// @ts-expect-error a session's owner is not the application's to change
found!.owner = 'someone else'
assertType<Equal<undefined extends typeof found ? true : false, true>>(true)
if (found !== undefined) {
  assertType<Equal<typeof found.id, string>>(true)
  assertType<Equal<typeof found.logLevel, LoggingLevel | undefined>>(true)
  assertType<Equal<typeof found.state, Map<string, unknown>>>(true)
}
// list: one summary per live session.
assertType<Equal<ReturnType<typeof sessions.list>, SessionSummary[]>>(true)
const summary = sessions.list()[0]!
assertType<Equal<typeof summary.id, string>>(true)
assertType<Equal<typeof summary.protocolVersion, string>>(true)
assertType<Equal<typeof summary.clientInfo, { name: string, version: string } | undefined>>(true)
assertType<Equal<typeof summary.streams, number>>(true)
assertType<Equal<typeof summary.inflight, number>>(true)
sessions.broadcast({ method: 'notifications/resources/list_changed' })
sessions.notify('id', { method: 'notifications/message', params: { level: 'info', data: 'hi' } })
// @ts-expect-error a notification needs a method
sessions.broadcast({ params: {} })
// @ts-expect-error jsonrpc is added by the transport
sessions.broadcast({ jsonrpc: '2.0', method: 'notifications/resources/list_changed' })
// @ts-expect-error notify names the session first
sessions.notify({ method: 'notifications/message' })
// @ts-expect-error the session count is read-only
app.mcpSessions.size = 0

app.addHook('onRequest', async (request) => {
  assertType<Equal<typeof request.mcpAuth, AuthInfo | undefined>>(true)
})
app.get('/whoami', async (request) => {
  const who = request.mcpAuth
  if (who === undefined) return { anonymous: true }
  assertType<Equal<typeof who.subject, string | undefined>>(true)
  assertType<Equal<typeof who.resource, string | undefined>>(true)
  assertType<Equal<typeof who.expiresAt, number | undefined>>(true)
  assertType<Equal<typeof who.extra, Record<string, unknown> | undefined>>(true)
  return { subject: who.subject ?? who.clientId, scopes: who.scopes }
})

// ---------------------------------------------------------------------------------------
// Servers of your own: the McpServerContract (README §Servers written with the official SDK)

const custom: McpServerContract = {
  handleRequest (request, context) {
    assertType<Equal<typeof request, JsonRpcRequest>>(true)
    assertType<Equal<typeof context, RequestContext>>(true)
    if (request.method === 'ping') return {}
    throw new McpError(ErrorCode.MethodNotFound, `Unknown method ${request.method}`)
  },
  async handleNotification (notification, context) {
    assertType<Equal<typeof notification, JsonRpcNotification>>(true)
    assertType<Equal<typeof context, NotificationContext>>(true)
    assertType<Equal<typeof context.authInfo, AuthInfo | undefined>>(true)
  },
  attach (host) {
    assertType<Equal<typeof host, McpServerHost>>(true)
    // A promise with a shared state: the stream may be held by another instance.
    assertType<Equal<ReturnType<typeof host.notify>, boolean | Promise<boolean>>>(true)
    assertType<Equal<ReturnType<typeof host.broadcast>, number | Promise<number>>>(true)
  },
  sessionClosed (session) {
    assertType<Equal<typeof session, McpSessionInfo>>(true)
  }
}
app.register(mcpTransport, { server: custom })
app.register(mcpTransport, { server: { handleRequest: async () => ({ answer: 42 }) } })
// @ts-expect-error a result is an object, not a string
app.register(mcpTransport, { server: { handleRequest: () => 'pong' } })

// ---------------------------------------------------------------------------------------
// Tasks (io.modelcontextprotocol/tasks 2026-07-28, 2025-11-25 experimental tasks)

const tasking = createMcpServer({ name: 'tasks', version: '1.0.0', tasks: { ttlMs: 60_000, pollIntervalMs: 500 } })
// @ts-expect-error ttlMs is a number of milliseconds
createMcpServer({ name: 'tasks', version: '1.0.0', tasks: { ttlMs: '1h' } })
tasking.tool('build', { description: 'Builds', taskSupport: 'optional', taskStart: 'handler' }, async (_args, ctx) => {
  assertType<Equal<typeof ctx.taskId, string | undefined>>(true)
  assertType<Equal<ReturnType<typeof ctx.setStatusMessage>, Promise<void>>>(true)
  assertType<Equal<ReturnType<typeof ctx.startTask>, Promise<void>>>(true)
  return 'built'
})
// @ts-expect-error taskSupport is 'forbidden', 'optional' or 'required'
tasking.tool('x', { description: 'x', taskSupport: 'sometimes' }, () => 'x')
// @ts-expect-error taskStart is 'call' or 'handler'
tasking.tool('y', { description: 'y', taskStart: 'later' }, () => 'y')
assertType<Equal<TaskSupport, 'forbidden' | 'optional' | 'required'>>(true)
assertType<Equal<TaskStatus, 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled'>>(true)
expectType<TaskStore>(new MemoryTaskStore({ maxTasks: 10, maxTasksPerOwner: 2, sweepInterval: 1000 }))
expectType<TaskSignals>(new MemoryTaskSignals())
expectType<Error>(new TaskCapacityError('owner', 1))
const taskOptions: McpTaskOptions = { store: new MemoryTaskStore(), signals: new MemoryTaskSignals(), leaseTimeout: 10_000 }
app.register(mcpTransport, { server: tasking, tasks: taskOptions })
app.register(mcpTransport, { server: tasking, tasks: { maxTasks: 100, maxTasksPerOwner: 5 } })
// @ts-expect-error a store implements the whole TaskStore interface
app.register(mcpTransport, { server: tasking, tasks: { store: { get: async () => undefined }, signals: new MemoryTaskSignals() } })
const hostWithTasks = null as unknown as McpServerHost
assertType<Equal<typeof hostWithTasks.tasks, TaskEngine | undefined>>(true)
const stored = null as unknown as Awaited<ReturnType<TaskStore['get']>>
assertType<Equal<typeof stored, TaskRecord | undefined>>(true)

// ---------------------------------------------------------------------------------------
// fastify-mcp-transport/adapters: servers written with @modelcontextprotocol/sdk

const fromMcpServer = fromSdkServer(() => new SdkMcpServer({ name: 'sdk', version: '1.0.0' }))
assertType<Equal<typeof fromMcpServer, SdkServerAdapter>>(true)
expectType<McpServerContract>(fromMcpServer)
assertType<Equal<typeof fromMcpServer.size, number>>(true)
app.register(mcpTransport, { server: fromMcpServer })
app.register(mcpTransport, fromMcpServer)
// The low-level Server, built asynchronously per session.
app.register(mcpTransport, {
  server: fromSdkServer(async (session) => {
    assertType<Equal<typeof session, McpSessionInfo | undefined>>(true)
    return new SdkServer({ name: 'sdk', version: '1.0.0' }, { capabilities: { tools: {} } })
  })
})
expectType<SdkServerLike>(new SdkMcpServer({ name: 'sdk', version: '1.0.0' }))
expectType<SdkServerFactory>(() => new SdkServer({ name: 'sdk', version: '1.0.0' }))
expectType<SdkServerAdapter>(new SdkServerAdapter(() => new SdkMcpServer({ name: 'sdk', version: '1.0.0' })))
expectType<typeof SdkSessionTransport>(SdkSessionTransport)
fromSdkServer(() => new SdkMcpServer({ name: 'sdk', version: '1.0.0' }), {
  access: { tools: { delete_repo: { scopes: ['repo:admin'] } }, resourceTemplates: { 'repo://{id}': { authorize: () => true } } }
})
// @ts-expect-error access rules are keyed by tool name
fromSdkServer(() => new SdkMcpServer({ name: 'sdk', version: '1.0.0' }), { access: { tools: [{ scopes: ['a'] }] } })
// @ts-expect-error fromSdkServer takes a factory (one server per session), not a server
fromSdkServer(new SdkMcpServer({ name: 'sdk', version: '1.0.0' }))
// @ts-expect-error the factory returns an SDK server (connect and close)
fromSdkServer(() => ({ name: 'sdk' }))

// The Redis state takes the application's own ioredis client, a Redis or a Cluster (issue 11).
{
  const single = redisState({ client: new Redis({ lazyConnect: true }) })
  const cluster = redisState({ client: new Cluster([{ host: '127.0.0.1', port: 7000 }], { lazyConnect: true }), keyPrefix: 'app:mcp:' })
  assertType<Equal<typeof single, StateBackend>>(true)
  app.register(mcpTransport, { server: createMcpServer({ name: 'n', version: '1' }), state: single })
  app.register(mcpTransport, { server: createMcpServer({ name: 'n', version: '1' }), state: cluster })
  app.register(mcpTransport, { server: createMcpServer({ name: 'n', version: '1' }), state: memoryState() })
  // @ts-expect-error a client is required
  redisState({})
  assertType<Equal<ReturnType<FastifyInstance['mcpSessions']['notify']>, boolean | Promise<boolean>>>(true)
}

// server.routes(app, options) and server.openapi(document, options): routes and OpenAPI operations as tools.
{
  const server = createMcpServer({ name: 'api', version: '1.0.0' })
  const api = Fastify()
  assertType<Equal<ReturnType<typeof server.routes>, McpServer>>(true)
  server.routes(api)
  server.routes(api, { include: { tags: ['public'] }, exclude: [{ methods: ['DELETE'], url: /^\/admin/ }], forwardHeaders: ['authorization'], forwardToken: true, maxAnswerBytes: 1024 })
  // config.mcp is declared on every route's config.
  api.get('/orders/:id', { config: { mcp: { name: 'get_order', annotations: { openWorldHint: false } } } }, async () => ({}))
  api.get('/hidden', { config: { mcp: false } }, async () => ({}))
  assertType<Equal<FastifyContextConfig['mcp'], boolean | McpRouteConfig | undefined>>(true)
  expectType<McpRouteConfig>({ name: 'n', title: 't', description: 'd' })
  expectType<ApiToolRule>({ methods: ['GET'], url: '/orders/*', tags: ['a'] })
  // @ts-expect-error forwardHeaders names headers
  expectType<RouteToolOptions>({ forwardHeaders: 'authorization' })
  const openapi: OpenApiToolOptions = {
    baseUrl: 'http://127.0.0.1:3000',
    timeout: 5000,
    headers: async (context) => {
      assertType<Equal<typeof context, RequestContext>>(true)
      return { authorization: 'Bearer api-key' }
    },
    logger: api.log
  }
  assertType<Equal<ReturnType<typeof server.openapi>, McpServer>>(true)
  server.openapi({ openapi: '3.1.0', paths: {} }, openapi)
  // @ts-expect-error baseUrl is required
  server.openapi({ openapi: '3.1.0', paths: {} }, {})
  // @ts-expect-error forwardToken is for routes only: an OpenAPI API is another service
  expectType<OpenApiToolOptions>({ baseUrl: 'http://x', forwardToken: true })
}
