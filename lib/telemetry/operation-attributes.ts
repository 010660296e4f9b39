import type { Attributes } from '@opentelemetry/api'
import type { FastifyRequest } from 'fastify'
import type { JsonRpcRequest } from '../protocol/jsonrpc.js'
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_CLIENT_PORT,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_PROTOCOL_VERSION,
  ATTR_NETWORK_PROTOCOL_NAME,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_NETWORK_TRANSPORT,
  GEN_AI_OPERATION_EXECUTE_TOOL
} from './semconv.js'

/** What one client request's span and duration metric are described by. */
export interface OperationDescription {
  /** mcp.md §Server span name: `{mcp.method.name} {target}`, or the method alone. */
  spanName: string
  /** The operation.duration attributes (low cardinality: no ids, no URIs, no addresses). */
  metric: Attributes
  /** Span-only attributes on top of `metric`: the resource URI (opt-in on the metric). */
  resourceUri: string | undefined
}

function stringParam (params: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = params?.[key]
  return typeof value === 'string' ? value : undefined
}

/**
 * The method, its target and the protocol version. mcp.md: gen_ai.tool.name "when operation
 * is related to a specific tool", gen_ai.prompt.name for a prompt (prompts/get, and a
 * completion/complete whose ref is a prompt), mcp.resource.uri for requests with a resource
 * URI; gen_ai.operation.name = execute_tool on tools/call and never otherwise ([8]). The
 * resource URI stays out of the span name by default (high cardinality).
 */
export function describeOperation (request: JsonRpcRequest, protocolVersion: string, network: Readonly<Attributes>): OperationDescription {
  const method = request.method
  const params = request.params
  const metric: Attributes = { [ATTR_MCP_METHOD_NAME]: method, ...network }
  // An HTTP+SSE session that has not sent initialize yet has no version.
  if (protocolVersion !== '') metric[ATTR_MCP_PROTOCOL_VERSION] = protocolVersion
  let target: string | undefined
  let resourceUri: string | undefined
  if (method === 'tools/call') {
    target = stringParam(params, 'name')
    if (target !== undefined) metric[ATTR_GEN_AI_TOOL_NAME] = target
    metric[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_EXECUTE_TOOL
  } else if (method === 'prompts/get') {
    target = stringParam(params, 'name')
    if (target !== undefined) metric[ATTR_GEN_AI_PROMPT_NAME] = target
  } else if (method === 'resources/read' || method === 'resources/subscribe' || method === 'resources/unsubscribe') {
    resourceUri = stringParam(params, 'uri')
  } else if (method === 'completion/complete') {
    const ref = params?.ref as Record<string, unknown> | undefined
    if (ref?.type === 'ref/prompt') {
      target = stringParam(ref, 'name')
      if (target !== undefined) metric[ATTR_GEN_AI_PROMPT_NAME] = target
    } else if (ref?.type === 'ref/resource') {
      resourceUri = stringParam(ref, 'uri')
    }
  }
  return { spanName: target === undefined ? method : `${method} ${target}`, metric, resourceUri }
}

/**
 * mcp.md §Recording MCP transport: Streamable HTTP and HTTP+SSE are `tcp` + `http` with the
 * HTTP version ("1.1", "2"); mcp.protocol.version tells the two transports apart.
 */
export function networkAttributes (request: FastifyRequest): Readonly<Attributes> {
  const version = request.raw.httpVersion
  let attributes = NETWORK_BY_VERSION.get(version)
  if (attributes === undefined) {
    attributes = Object.freeze({
      [ATTR_NETWORK_PROTOCOL_NAME]: 'http',
      [ATTR_NETWORK_PROTOCOL_VERSION]: version === '2.0' ? '2' : version,
      [ATTR_NETWORK_TRANSPORT]: 'tcp'
    })
    NETWORK_BY_VERSION.set(version, attributes)
  }
  return attributes
}

// One frozen object per HTTP version ("1.0", "1.1", "2.0"): built once, shared by every request.
const NETWORK_BY_VERSION = new Map<string, Readonly<Attributes>>()

/**
 * Adds client.address behind any proxies (mcp.md [6]): Fastify's request.ip, which follows
 * trustProxy. The port is the peer's only when that address is the peer itself.
 */
export function addClientAttributes (attributes: Attributes, request: FastifyRequest): void {
  const ip = request.ip
  attributes[ATTR_CLIENT_ADDRESS] = ip
  const socket = request.socket
  if (socket.remoteAddress === ip && typeof socket.remotePort === 'number') attributes[ATTR_CLIENT_PORT] = socket.remotePort
}
