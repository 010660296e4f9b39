import type { FastifyReply, FastifyRequest } from 'fastify'
import type { McpServerContract } from '../../types/index.js'
import type { ResolvedAuth } from '../auth/auth-options.js'
import { ownerOf } from '../auth/session-owner.js'
import { errorChallenge } from '../auth/www-authenticate.js'
import { FST_MCP_INSUFFICIENT_SCOPE, FST_MCP_RATE_LIMIT_UNAVAILABLE, FST_MCP_RATE_LIMITED } from '../errors.js'
import { ErrorCode, errorResponse, type JsonRpcRequest, type JsonRpcResponse } from '../protocol/jsonrpc.js'
import type { MaybePromise } from '../protocol/dispatcher.js'
import { missingScopes, permits } from './access-rule.js'
import type { CallLimiter, LimitExceeded } from './call-limiter.js'

// The requests that use one named item, whose rule the server knows (accessRule).
const GUARDED: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read', 'resources/subscribe'])

const NO_SCOPE = 'The access token lacks a scope this request needs'
const NOT_PERMITTED = 'The access token does not permit this request'

// Health counts per tool are bounded: tool names come from clients.
const MAX_COUNTED_TOOLS = 1000

/** Why a call was refused before its handler ran. */
export type Refusal =
  | { reason: 'insufficient_scope', scope: string, challenge: string, resourceMetadata: string }
  | { reason: 'rate_limited', tool: string, limit: LimitExceeded }
  | { reason: 'limiter_unavailable' }

export type RefusalReason = Refusal['reason']

/** Refused calls by reason, as the health route shows them. */
export type RefusalCounts = Record<RefusalReason, number>

/** Refused calls, as the health route shows them. */
export interface RefusedCalls extends RefusalCounts {
  /** Per tool (tools/call only), the first 1000 tool names refused. */
  tools: Record<string, RefusalCounts>
}

/** Told of each refusal (the telemetry's counter); `tool` is unset past the per-tool cap. */
export type RefusalListener = (method: string, tool: string | undefined, reason: RefusalReason) => void

function noRefusals (): RefusalCounts {
  return { insufficient_scope: 0, rate_limited: 0, limiter_unavailable: 0 }
}

/**
 * The check every call of a tool, prompt or resource passes before its handler runs: the
 * item's access rule against the request's token (2025-11-25 authorization §Scope
 * Challenge Handling), then the per-call rate limit. It decides from the request alone, so
 * a single-request POST is refused with its own HTTP status (403, 429) before any stream
 * starts; in a batch each refused call gets its JSON-RPC error with the same data.
 */
export class CallGate {
  private readonly server: McpServerContract
  private readonly auth: ResolvedAuth | null
  private readonly limiter: CallLimiter | null
  private readonly counts: RefusedCalls = { ...noRefusals(), tools: {} }
  private countedTools = 0
  /** Set with the `telemetry` option: refusals become metrics too. */
  onRefused: RefusalListener | null = null

  constructor (server: McpServerContract, auth: ResolvedAuth | null, limiter: CallLimiter | null) {
    this.server = server
    this.auth = auth
    this.limiter = limiter
  }

  /** Whether `request` uses an item the gate checks; every other request passes untouched. */
  guards (request: JsonRpcRequest): boolean {
    return GUARDED.has(request.method)
  }

  /** null when the call may run; a promise only when the rate limiter was asked. */
  admit (request: JsonRpcRequest, http: FastifyRequest): MaybePromise<Refusal | null> {
    const token = http.mcpAuth
    const auth = this.auth
    if (auth !== null && token !== undefined) {
      const rule = this.server.accessRule?.(request)
      if (!permits(rule, token)) {
        // §Runtime Insufficient Scope Errors: the challenge names every scope this request
        // needs, the endpoint's own included, so the stepped-up token still opens the door.
        const needed = [...new Set([...auth.requiredScopes, ...(rule!.scopes ?? [])])].join(' ')
        const description = missingScopes(rule!, token).length > 0 ? NO_SCOPE : NOT_PERMITTED
        this.count(request, 'insufficient_scope')
        const challenge = errorChallenge('insufficient_scope', description, auth.metadataUrl, needed)
        return { reason: 'insufficient_scope', scope: needed, challenge, resourceMetadata: auth.metadataUrl }
      }
    }
    const limiter = this.limiter
    if (limiter === null || request.method !== 'tools/call') return null
    const tool = String(request.params?.name)
    const exceeded = limiter.take(tool, token === undefined ? http.ip : ownerOf(token))
    if (exceeded === null) return null
    return exceeded.then((limit) => {
      if (limit === null) return null
      this.count(request, 'rate_limited')
      return { reason: 'rate_limited', tool, limit } satisfies Refusal
    }, (err: unknown) => {
      // Fail closed: a call the limiter could not count is not run (design: Redis down).
      http.log.error({ err }, 'MCP rate limit store failed')
      this.count(request, 'limiter_unavailable')
      return { reason: 'limiter_unavailable' } satisfies Refusal
    })
  }

  /**
   * Runs `run` once a call that came alone in its HTTP request is admitted; otherwise
   * throws (or rejects with) its refusal, which the error handler renders with its status.
   */
  pass<T> (request: JsonRpcRequest, http: FastifyRequest, reply: FastifyReply, run: () => T | Promise<T>): T | Promise<T> {
    const admitted = this.admit(request, http)
    if (admitted === null) return run()
    if (!(admitted instanceof Promise)) throw this.httpError(admitted, reply)
    return admitted.then((refusal) => {
      if (refusal !== null) throw this.httpError(refusal, reply)
      return run()
    })
  }

  /**
   * The refusal as the error a single-request POST is answered with: its status, the
   * challenge or the rate limit headers on the reply, and the JSON-RPC body's data.
   */
  httpError (refusal: Refusal, reply: FastifyReply): Error {
    if (refusal.reason === 'insufficient_scope') reply.header('www-authenticate', refusal.challenge)
    else if (refusal.reason === 'rate_limited') {
      const { max, retryAfterMs } = refusal.limit
      const seconds = Math.ceil(retryAfterMs / 1000)
      // RFC 9110 §10.2.3 Retry-After, and the RateLimit-* fields @fastify/rate-limit sends
      // with enableDraftSpec (draft-ietf-httpapi-ratelimit-headers).
      reply.header('retry-after', seconds)
        .header('ratelimit-limit', max)
        .header('ratelimit-remaining', 0)
        .header('ratelimit-reset', seconds)
    }
    return errorOf(refusal)
  }

  /** The refusal as the JSON-RPC error of one call whose POST carries others too. */
  response (request: JsonRpcRequest, refusal: Refusal): JsonRpcResponse {
    const error = errorOf(refusal) as Error & { data: unknown }
    return errorResponse(request.id, ErrorCode.ConnectionClosed, error.message, error.data)
  }

  refused (): RefusedCalls {
    return this.counts
  }

  private count (request: JsonRpcRequest, reason: RefusalReason): void {
    this.counts[reason]++
    const name = request.method === 'tools/call' ? this.countTool(String(request.params?.name), reason) : undefined
    this.onRefused?.(request.method, name, reason)
  }

  /** The tool's own count; the name, or undefined once 1000 other names are counted. */
  private countTool (name: string, reason: RefusalReason): string | undefined {
    let tool = this.counts.tools[name]
    if (tool === undefined) {
      if (this.countedTools === MAX_COUNTED_TOOLS) return undefined
      this.countedTools++
      tool = this.counts.tools[name] = noRefusals()
    }
    tool[reason]++
    return name
  }
}

/** The error of a refusal, with data that carries what the HTTP headers would. */
function errorOf (refusal: Refusal): Error {
  let error: Error & { data?: unknown }
  if (refusal.reason === 'insufficient_scope') {
    error = new FST_MCP_INSUFFICIENT_SCOPE(refusal.scope)
    error.data = { status: 403, error: 'insufficient_scope', scope: refusal.scope, resource_metadata: refusal.resourceMetadata, wwwAuthenticate: refusal.challenge }
  } else if (refusal.reason === 'rate_limited') {
    const { max, timeWindow, retryAfterMs } = refusal.limit
    error = new FST_MCP_RATE_LIMITED(refusal.tool, max, timeWindow, retryAfterMs)
    error.data = { status: 429, retryAfterMs, limit: max, timeWindow }
  } else {
    error = new FST_MCP_RATE_LIMIT_UNAVAILABLE()
    error.data = { status: 503 }
  }
  return error
}

/** The gate of one plugin registration; null when nothing would be checked (no `auth`, no `rateLimit`). */
export function createCallGate (server: McpServerContract, auth: ResolvedAuth | null, limiter: CallLimiter | null): CallGate | null {
  const checksScopes = auth !== null && typeof server.accessRule === 'function'
  return checksScopes || limiter !== null ? new CallGate(server, auth, limiter) : null
}
