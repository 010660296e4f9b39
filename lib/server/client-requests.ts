// The requests a server handler may send to the client while it runs (2025-11-25
// client/sampling, client/elicitation, client/roots), their shapes, and the capability
// each one needs. Only the fields a handler relies on are typed; the rest pass through.
import { ErrorCode, McpError, type Result } from '../protocol/jsonrpc.js'
import { ModernErrorCode } from '../modern/era.js'

const MISSING_REQUIRED_CLIENT_CAPABILITY = ModernErrorCode.MissingRequiredClientCapability

export interface ClientRequestOptions {
  /** Milliseconds to wait for the client; then the request is cancelled. Default: the plugin's requestTimeout. */
  timeout?: number
  /**
   * Modern era (2026-07-28, input_required): the key of this input request in
   * inputRequests/inputResponses. Default: the method and the call's order in the handler.
   */
  key?: string
}

export interface SamplingMessage {
  role: 'user' | 'assistant'
  content: Record<string, unknown> | Array<Record<string, unknown>>
  [key: string]: unknown
}

export interface CreateMessageParams {
  messages: SamplingMessage[]
  maxTokens: number
  systemPrompt?: string
  includeContext?: 'none' | 'thisServer' | 'allServers'
  tools?: unknown[]
  [key: string]: unknown
}

export interface CreateMessageResult {
  role: 'user' | 'assistant'
  content: Record<string, unknown> | Array<Record<string, unknown>>
  model: string
  stopReason?: string
  [key: string]: unknown
}

export interface ElicitParams {
  /** 'form' (the default) asks for data matching requestedSchema; 'url' sends the user to a page. */
  mode?: 'form' | 'url'
  message: string
  requestedSchema?: Record<string, unknown>
  url?: string
  elicitationId?: string
  [key: string]: unknown
}

export interface ElicitResult {
  action: 'accept' | 'decline' | 'cancel'
  content?: Record<string, unknown>
  [key: string]: unknown
}

export interface Root {
  uri: string
  name?: string
  [key: string]: unknown
}

export interface ListRootsResult {
  roots: Root[]
  [key: string]: unknown
}

function isObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object'
}

/**
 * 2025-11-25 lifecycle §Operation: both parties only use negotiated capabilities. A request
 * the client never declared it can answer fails here, before anything is sent.
 */
export function requireClientCapability (capabilities: Record<string, unknown>, path: readonly string[], method: string): void {
  const node = path.reduce<unknown>((parent, key) => (parent as Record<string, unknown> | null | undefined)?.[key], capabilities)
  if (!isObject(node)) {
    throw new McpError(ErrorCode.InvalidRequest,
      `The client did not declare the ${path.join('.')} capability, so it cannot answer ${method}`,
      { method, requiredCapability: path.join('.') })
  }
}

/**
 * Modern era (B-0728 §`_meta`): a capability the request needs but the client's `_meta`
 * did not declare is -32021 MissingRequiredClientCapability, whose data names the missing
 * capabilities as a ClientCapabilities object (e.g. { sampling: {} }).
 */
export function requireModernCapabilities (capabilities: Record<string, unknown>, paths: readonly string[][], method: string): void {
  const missing: Record<string, unknown> = {}
  for (const path of paths) {
    const node = path.reduce<unknown>((parent, key) => (parent as Record<string, unknown> | undefined)?.[key], capabilities)
    if (isObject(node)) continue
    let target = missing
    for (const key of path) {
      if (!isObject(target[key])) target[key] = {}
      target = target[key] as Record<string, unknown>
    }
  }
  if (Object.keys(missing).length > 0) {
    throw new McpError(MISSING_REQUIRED_CLIENT_CAPABILITY,
      `The client did not declare the capabilities ${method} needs; declare them in _meta["io.modelcontextprotocol/clientCapabilities"]`,
      { requiredCapabilities: missing })
  }
}

/** The capabilities a sampling request needs (2025-11-25 client/sampling §Capabilities). */
export function samplingCapabilities (params: CreateMessageParams): string[][] {
  const needed = [['sampling']]
  // Tool use in sampling is allowed only when the client declared sampling.tools.
  if (params.tools !== undefined) needed.push(['sampling', 'tools'])
  // includeContext other than 'none' needs sampling.context (soft-deprecated, still gated).
  if (params.includeContext !== undefined && params.includeContext !== 'none') needed.push(['sampling', 'context'])
  return needed
}

/** URL-mode elicitation needs elicitation.url; form mode is what `elicitation: {}` means. */
export function elicitationCapabilities (params: ElicitParams): string[][] {
  return params.mode === 'url' ? [['elicitation'], ['elicitation', 'url']] : [['elicitation']]
}

function invalidAnswer (method: string): McpError {
  return new McpError(ErrorCode.InternalError, `The client answered ${method} with an invalid result`)
}

// The client's answer is input like any other: check the field a handler branches on.
export function checkCreateMessageResult (result: Result): CreateMessageResult {
  if (typeof result.model !== 'string' || !isObject(result.content)) throw invalidAnswer('sampling/createMessage')
  return result as CreateMessageResult
}

export function checkElicitResult (result: Result): ElicitResult {
  if (result.action !== 'accept' && result.action !== 'decline' && result.action !== 'cancel') throw invalidAnswer('elicitation/create')
  return result as ElicitResult
}

export function checkListRootsResult (result: Result): ListRootsResult {
  if (!Array.isArray(result.roots)) throw invalidAnswer('roots/list')
  return result as ListRootsResult
}
