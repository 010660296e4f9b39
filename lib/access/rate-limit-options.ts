import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { CallLimit, RateLimitOptions } from '../../types/index.js'
import { FST_MCP_INVALID_OPTION } from '../errors.js'

export const DEFAULT_RATE_LIMIT_WINDOW = 60_000
export const DEFAULT_RATE_LIMIT_NAMESPACE = 'mcp-rate-limit-'

/** One limit with its window filled in. */
export interface ResolvedLimit {
  max: number
  timeWindow: number
}

/** The `rateLimit` option, checked once at registration. */
export interface ResolvedRateLimit {
  /** The limit of every tool not named in `tools`; null: those are not limited. */
  fallback: ResolvedLimit | null
  /** Per-tool limits; false exempts the tool from the fallback. */
  tools: Map<string, ResolvedLimit | false>
  /**
   * Where the counts are kept, as the user said (neither: the state's Redis when there is
   * one, else this process; see createCallLimiter).
   */
  store: { redis?: unknown, store?: FastifyRateLimitStoreCtor, nameSpace: string }
}

function invalid (name: string, value: unknown, expected: string): never {
  throw new FST_MCP_INVALID_OPTION(name, JSON.stringify(value) ?? String(value), expected)
}

function whole (name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) invalid(name, value, `an integer >= ${min}`)
  return value
}

function limit (name: string, value: CallLimit, timeWindow: number): ResolvedLimit {
  if (value === null || typeof value !== 'object') invalid(name, value, 'false or { max, timeWindow? }')
  return {
    max: whole(`${name}.max`, value.max, 0),
    timeWindow: value.timeWindow === undefined ? timeWindow : whole(`${name}.timeWindow`, value.timeWindow, 1)
  }
}

/** Checks the `rateLimit` option; null when it is unset (no limiter at all). */
export function resolveRateLimit (options: RateLimitOptions | undefined): ResolvedRateLimit | null {
  if (options === undefined) return null
  if (options === null || typeof options !== 'object') invalid('rateLimit', options, 'an object with max, timeWindow, tools, redis or store')
  const timeWindow = options.timeWindow === undefined ? DEFAULT_RATE_LIMIT_WINDOW : whole('rateLimit.timeWindow', options.timeWindow, 1)
  const fallback = options.max === undefined ? null : { max: whole('rateLimit.max', options.max, 0), timeWindow }
  const tools = new Map<string, ResolvedLimit | false>()
  const given = options.tools ?? {}
  if (given === null || typeof given !== 'object' || Array.isArray(given)) invalid('rateLimit.tools', given, 'an object of limits by tool name')
  for (const [name, value] of Object.entries(given)) {
    tools.set(name, value === false ? false : limit(`rateLimit.tools.${name}`, value, timeWindow))
  }
  const { redis, store } = options
  if (redis !== undefined && (redis === null || typeof (redis as { defineCommand?: unknown }).defineCommand !== 'function')) {
    invalid('rateLimit.redis', typeof redis, 'an ioredis client (Redis or Cluster)')
  }
  if (store !== undefined && typeof store !== 'function') invalid('rateLimit.store', typeof store, 'a @fastify/rate-limit store class')
  const nameSpace = options.nameSpace ?? DEFAULT_RATE_LIMIT_NAMESPACE
  if (typeof nameSpace !== 'string' || nameSpace === '') invalid('rateLimit.nameSpace', nameSpace, 'a non-empty string')
  const backing: ResolvedRateLimit['store'] = { nameSpace }
  if (redis !== undefined) backing.redis = redis
  if (store !== undefined) backing.store = store
  return { fallback, tools, store: backing }
}
