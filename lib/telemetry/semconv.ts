// The names this plugin's telemetry uses, from the OpenTelemetry semantic conventions for
// MCP (open-telemetry/semantic-conventions-genai, docs/gen-ai/mcp.md, status Development)
// and the registry attributes it links (mcp, gen_ai, jsonrpc, rpc, error, network,
// client). Copied here rather than imported from @opentelemetry/semantic-conventions/
// incubating, as that package asks of libraries: incubating names may change between
// its releases, and a test checks these against it.

export const ATTR_MCP_METHOD_NAME = 'mcp.method.name'
export const ATTR_MCP_SESSION_ID = 'mcp.session.id'
export const ATTR_MCP_PROTOCOL_VERSION = 'mcp.protocol.version'
export const ATTR_MCP_RESOURCE_URI = 'mcp.resource.uri'
export const ATTR_JSONRPC_REQUEST_ID = 'jsonrpc.request.id'
export const ATTR_RPC_RESPONSE_STATUS_CODE = 'rpc.response.status_code'
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name'
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name'
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name'
export const ATTR_ERROR_TYPE = 'error.type'
export const ATTR_NETWORK_PROTOCOL_NAME = 'network.protocol.name'
export const ATTR_NETWORK_PROTOCOL_VERSION = 'network.protocol.version'
export const ATTR_NETWORK_TRANSPORT = 'network.transport'
export const ATTR_CLIENT_ADDRESS = 'client.address'
export const ATTR_CLIENT_PORT = 'client.port'

/** mcp.md [8]: set on tools/call only. */
export const GEN_AI_OPERATION_EXECUTE_TOOL = 'execute_tool'
/** mcp.md [1] error.type: a CallToolResult with isError true. */
export const ERROR_TYPE_TOOL_ERROR = 'tool_error'
/**
 * A request that ended without a response: cancelled by the client (notifications/cancelled,
 * or a modern client closing its stream), or by its session's end or shutdown. Not named by
 * the conventions; a low-cardinality custom value, as error.type allows.
 */
export const ERROR_TYPE_CANCELLED = 'cancelled'

export const METRIC_MCP_SERVER_OPERATION_DURATION = 'mcp.server.operation.duration'
export const METRIC_MCP_SERVER_SESSION_DURATION = 'mcp.server.session.duration'
/** mcp.md §Metrics: both duration histograms SHOULD use these ExplicitBucketBoundaries (s). */
export const DURATION_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]

// Not in the conventions: what a transport operator watches, named in the same
// `mcp.server.*` namespace, as up-down counts (additive across instances).
export const METRIC_MCP_SERVER_SESSION_ACTIVE = 'mcp.server.session.active'
export const METRIC_MCP_SERVER_STREAM_ACTIVE = 'mcp.server.stream.active'
export const METRIC_MCP_SERVER_REQUEST_ACTIVE = 'mcp.server.request.active'
export const METRIC_MCP_SERVER_EVENT_STORE_EVENTS = 'mcp.server.event_store.events'
/** Calls refused before their handler ran; error.type says why (a Refusal reason). */
export const METRIC_MCP_SERVER_CALL_REFUSED = 'mcp.server.call.refused'

/** The instrumentation scope of every span and metric. */
export const INSTRUMENTATION_NAME = 'fastify-mcp-transport'
