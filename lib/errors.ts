import createError from '@fastify/error'
import { ErrorCode } from './protocol/jsonrpc.js'

// Every error the transport answers with, defined once. Each message says how to fix the
// problem; RPC_CODES gives the JSON-RPC code rendered in the body next to the HTTP status
// (status table: mcp-transport-spec.md §15). Stack traces are not captured: these are
// answers to clients, not bugs, and some sit on hot paths.

export const FST_MCP_PARSE_ERROR = createError('FST_MCP_PARSE_ERROR',
  'Parse error: the body is not valid JSON', 400, TypeError, false)

export const FST_MCP_INVALID_REQUEST = createError<[string]>('FST_MCP_INVALID_REQUEST',
  'Invalid Request: %s', 400, TypeError, false)

export const FST_MCP_BODY_TOO_LARGE = createError<[number]>('FST_MCP_BODY_TOO_LARGE',
  'Request body is larger than %s bytes; send a smaller message or raise the bodyLimit option', 413, RangeError, false)

export const FST_MCP_UNSUPPORTED_MEDIA_TYPE = createError<[string]>('FST_MCP_UNSUPPORTED_MEDIA_TYPE',
  'Unsupported Media Type: %s; send Content-Type: application/json', 415, TypeError, false)

export const FST_MCP_NOT_ACCEPTABLE = createError<[string]>('FST_MCP_NOT_ACCEPTABLE',
  'Not Acceptable: the Accept header must allow %s', 406, TypeError, false)

export const FST_MCP_SESSION_REQUIRED = createError('FST_MCP_SESSION_REQUIRED',
  'Bad Request: Mcp-Session-Id header is required; send initialize first and reuse the id it returns', 400, TypeError, false)

export const FST_MCP_SESSION_NOT_FOUND = createError('FST_MCP_SESSION_NOT_FOUND',
  'Session not found: it expired or was terminated; send initialize to start a new session', 404, Error, false)

export const FST_MCP_UNSUPPORTED_VERSION = createError<[string, string]>('FST_MCP_UNSUPPORTED_VERSION',
  'Bad Request: Unsupported protocol version: %s (supported versions: %s)', 400, TypeError, false)

export const FST_MCP_FORBIDDEN_ORIGIN = createError<[string]>('FST_MCP_FORBIDDEN_ORIGIN',
  'Forbidden: Origin %s is not allowed; add it to the allowedOrigins option', 403, Error, false)

export const FST_MCP_FORBIDDEN_HOST = createError<[string]>('FST_MCP_FORBIDDEN_HOST',
  'Forbidden: Host %s is not allowed; add it to the allowedHosts option', 403, Error, false)

export const FST_MCP_TOO_MANY_SESSIONS = createError<[number]>('FST_MCP_TOO_MANY_SESSIONS',
  'Service Unavailable: the server holds its maximum of %s sessions; retry later', 503, RangeError, false)

export const FST_MCP_ALREADY_INITIALIZED = createError('FST_MCP_ALREADY_INITIALIZED',
  'Invalid Request: this session is already initialized; omit Mcp-Session-Id to start a new one', 400, TypeError, false)

export const FST_MCP_BATCH_REJECTED = createError<[string]>('FST_MCP_BATCH_REJECTED',
  'Invalid Request: %s', 400, TypeError, false)

export const FST_MCP_METHOD_NOT_ALLOWED = createError<[string]>('FST_MCP_METHOD_NOT_ALLOWED',
  'Method Not Allowed: use %s', 405, TypeError, false)

export const FST_MCP_NOT_ACCEPTED = createError<[string]>('FST_MCP_NOT_ACCEPTED',
  'Bad Request: %s', 400, TypeError, false)

export const FST_MCP_SHUTTING_DOWN = createError('FST_MCP_SHUTTING_DOWN',
  'Service Unavailable: the server is shutting down; reconnect to another instance', 503, Error, false)

export const FST_MCP_SSE_SESSION_REQUIRED = createError('FST_MCP_SSE_SESSION_REQUIRED',
  'Bad Request: the sessionId query parameter is required; POST to the URI sent in the endpoint event of the SSE stream', 400, TypeError, false)

export const FST_MCP_SSE_ALREADY_INITIALIZED = createError('FST_MCP_SSE_ALREADY_INITIALIZED',
  'Invalid Request: this session is already initialized; open a new SSE stream to start another session', 400, TypeError, false)

export const FST_MCP_SESSION_ID_MISMATCH = createError('FST_MCP_SESSION_ID_MISMATCH',
  'Bad Request: the Mcp-Session-Id header and the session id in the path differ; send one session id', 400, TypeError, false)

export const FST_MCP_UNKNOWN_EVENT_ID = createError<[string]>('FST_MCP_UNKNOWN_EVENT_ID',
  'Bad Request: Last-Event-ID %s is unknown or no longer kept; open a new stream without Last-Event-ID', 400, TypeError, false)

export const FST_MCP_SESSION_BUSY = createError<[number, string]>('FST_MCP_SESSION_BUSY',
  'Service Unavailable: the session has its maximum of %s %s; retry when some finish', 503, RangeError, false)

// 2026-07-28 (modern era) request validation: T-0728 §Server Validation, B-0728 §`_meta`.
export const FST_MCP_HEADER_MISMATCH = createError<[string]>('FST_MCP_HEADER_MISMATCH',
  'Bad Request: %s', 400, TypeError, false)

export const FST_MCP_INVALID_META = createError<[string]>('FST_MCP_INVALID_META',
  'Invalid params: %s', 400, TypeError, false)

export const FST_MCP_MODERN_VERSION_UNSUPPORTED = createError<[string, string]>('FST_MCP_MODERN_VERSION_UNSUPPORTED',
  'Unsupported protocol version: %s (supported versions: %s)', 400, TypeError, false)

export const FST_MCP_MODERN_METHOD_NOT_FOUND = createError<[string]>('FST_MCP_MODERN_METHOD_NOT_FOUND',
  'Method not found: %s is not part of protocol version 2026-07-28', 404, TypeError, false)

// io.modelcontextprotocol/tasks (tasks.md §Task Status Notifications): subscriptions/listen
// asking for taskIds without declaring the extension.
export const FST_MCP_TASKS_NOT_DECLARED = createError('FST_MCP_TASKS_NOT_DECLARED',
  'Missing required client capability: notifications.taskIds needs the io.modelcontextprotocol/tasks extension; declare it in _meta["io.modelcontextprotocol/clientCapabilities"].extensions', 400, TypeError, false)

// Authorization (auth option): 2025-11-25 authorization §Error Handling (401 missing or
// invalid token, 403 insufficient scope, 400 malformed request). The bearer guard puts the
// WWW-Authenticate challenge on the reply; these are the JSON-RPC bodies that go with it.
export const FST_MCP_UNAUTHORIZED = createError('FST_MCP_UNAUTHORIZED',
  'Unauthorized: send an OAuth access token as Authorization: Bearer <token>; the WWW-Authenticate header names the resource metadata that says where to get one', 401, Error, false)

export const FST_MCP_INVALID_TOKEN = createError<[string]>('FST_MCP_INVALID_TOKEN',
  'Unauthorized: %s; get a new access token for this server', 401, Error, false)

export const FST_MCP_INVALID_AUTH_REQUEST = createError<[string]>('FST_MCP_INVALID_AUTH_REQUEST',
  'Bad Request: %s; send the access token as Authorization: Bearer <token>', 400, TypeError, false)

const InsufficientScope = createError<[string]>('FST_MCP_INSUFFICIENT_SCOPE',
  'Forbidden: the access token lacks a scope this request needs (%s); get a token with these scopes', 403, Error, false)

/**
 * The token is valid but does not grant what the request needs: 403 with
 * `WWW-Authenticate: Bearer error="insufficient_scope", scope="<scope>"`. Thrown by the
 * bearer guard for `auth.requiredScopes`, and by `auth.verifyToken` for needs of its own:
 * `throw new errors.FST_MCP_INSUFFICIENT_SCOPE('files:write')`.
 */
export class FST_MCP_INSUFFICIENT_SCOPE extends InsufficientScope {
  /** The space-separated scopes the challenge asks for. */
  readonly scope: string

  constructor (scope: string) {
    super(scope)
    this.scope = scope
  }
}

export const FST_MCP_STATE_UNAVAILABLE = createError<[string]>('FST_MCP_STATE_UNAVAILABLE',
  'Service Unavailable: the shared state (%s) did not answer; retry shortly', 503, Error, false)
// Per-call limits (rateLimit option): the call is refused before its handler runs.
export const FST_MCP_RATE_LIMITED = createError<[string, number, number, number]>('FST_MCP_RATE_LIMITED',
  'Too Many Requests: tool %s allows %s calls per %s ms for this client; retry in %s ms', 429, RangeError, false)

export const FST_MCP_RATE_LIMIT_UNAVAILABLE = createError('FST_MCP_RATE_LIMIT_UNAVAILABLE',
  'Service Unavailable: the rate limit store did not answer, so the call was refused; retry later', 503, Error, false)

export const FST_MCP_INVALID_OPTION = createError<[string, string, string]>('FST_MCP_INVALID_OPTION',
  'fastify-mcp-transport: option "%s" is %s; expected %s', 500, TypeError)

export const FST_MCP_INVALID_SERVER = createError('FST_MCP_INVALID_SERVER',
  'fastify-mcp-transport: option "server" is required: pass createMcpServer(...) or an object with handleRequest(request, context)', 500, TypeError)

export const FST_MCP_TELEMETRY_UNAVAILABLE = createError<[string]>('FST_MCP_TELEMETRY_UNAVAILABLE',
  'fastify-mcp-transport: option "telemetry" needs @opentelemetry/api, which could not be loaded (%s); install it (npm i @opentelemetry/api) or leave telemetry off', 500, Error)

export const RPC_CODES: Readonly<Record<string, number>> = {
  FST_MCP_PARSE_ERROR: ErrorCode.ParseError,
  FST_MCP_INVALID_REQUEST: ErrorCode.InvalidRequest,
  FST_MCP_BODY_TOO_LARGE: ErrorCode.InvalidRequest,
  FST_MCP_UNSUPPORTED_MEDIA_TYPE: ErrorCode.ConnectionClosed,
  FST_MCP_NOT_ACCEPTABLE: ErrorCode.ConnectionClosed,
  FST_MCP_SESSION_REQUIRED: ErrorCode.ConnectionClosed,
  FST_MCP_SESSION_NOT_FOUND: ErrorCode.RequestTimeout,
  FST_MCP_UNSUPPORTED_VERSION: ErrorCode.ConnectionClosed,
  FST_MCP_FORBIDDEN_ORIGIN: ErrorCode.ConnectionClosed,
  FST_MCP_FORBIDDEN_HOST: ErrorCode.ConnectionClosed,
  FST_MCP_TOO_MANY_SESSIONS: ErrorCode.ConnectionClosed,
  FST_MCP_ALREADY_INITIALIZED: ErrorCode.InvalidRequest,
  FST_MCP_BATCH_REJECTED: ErrorCode.InvalidRequest,
  FST_MCP_METHOD_NOT_ALLOWED: ErrorCode.ConnectionClosed,
  FST_MCP_NOT_ACCEPTED: ErrorCode.InvalidRequest,
  FST_MCP_SHUTTING_DOWN: ErrorCode.ConnectionClosed,
  // Fail closed: a request that needs the shared state is refused, never served from
  // what this instance alone knows (design.md "Redis down").
  FST_MCP_STATE_UNAVAILABLE: ErrorCode.InternalError,
  FST_MCP_UNKNOWN_EVENT_ID: ErrorCode.ConnectionClosed,
  FST_MCP_SESSION_BUSY: ErrorCode.ConnectionClosed,
  FST_MCP_SSE_SESSION_REQUIRED: ErrorCode.ConnectionClosed,
  FST_MCP_SSE_ALREADY_INITIALIZED: ErrorCode.InvalidRequest,
  FST_MCP_SESSION_ID_MISMATCH: ErrorCode.ConnectionClosed,
  FST_MCP_HEADER_MISMATCH: -32020,
  FST_MCP_INVALID_META: ErrorCode.InvalidParams,
  FST_MCP_MODERN_VERSION_UNSUPPORTED: -32022,
  FST_MCP_MODERN_METHOD_NOT_FOUND: ErrorCode.MethodNotFound,
  FST_MCP_TASKS_NOT_DECLARED: -32021,
  // Refusals at the HTTP level, like Origin/Host (403) or a missing session (400): the
  // status and WWW-Authenticate tell an OAuth client what to do, and -32000 is the
  // implementation-defined server error used for every such refusal. Not -32600: the
  // JSON-RPC message itself may be fine; its HTTP request's credentials are not.
  FST_MCP_UNAUTHORIZED: ErrorCode.ConnectionClosed,
  FST_MCP_INVALID_TOKEN: ErrorCode.ConnectionClosed,
  FST_MCP_INVALID_AUTH_REQUEST: ErrorCode.ConnectionClosed,
  FST_MCP_INSUFFICIENT_SCOPE: ErrorCode.ConnectionClosed,
  // A refused call, like the refusals above: the request is fine, this client may not make
  // it now. data.retryAfterMs says when it may.
  FST_MCP_RATE_LIMITED: ErrorCode.ConnectionClosed,
  FST_MCP_RATE_LIMIT_UNAVAILABLE: ErrorCode.ConnectionClosed
}
