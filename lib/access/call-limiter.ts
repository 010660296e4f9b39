import type { FastifyInstance, FastifyRequest } from 'fastify'
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import { FST_MCP_INVALID_OPTION } from '../errors.js'
import type { ResolvedLimit, ResolvedRateLimit } from './rate-limit-options.js'
import { SnapshotLocalStore } from './memory-call-store.js'

type Limiter = ReturnType<FastifyInstance['createRateLimit']>

/** A call over its limit: how many the window allows and when the client may call again. */
export interface LimitExceeded {
  max: number
  timeWindow: number
  retryAfterMs: number
}

/**
 * What createRateLimit's limiter reads of its "request": the route's config (for a
 * groupId) and whatever our key generator reads. One call is not one HTTP request (a
 * batch carries many), so each call is handed over as this small object with its key.
 */
interface CallSubject {
  routeOptions: { config: Record<string, unknown> }
  key: string
}

const NO_ROUTE = Object.freeze({ config: Object.freeze({}) })

function keyOf (call: FastifyRequest): string {
  return (call as unknown as CallSubject).key
}

/**
 * Per-call limits on tools/call, built on @fastify/rate-limit's createRateLimit (its
 * memory store, its RedisStore with `redis`, or the user's store): one limiter per distinct
 * limit, each counting per tool and client. A call costs exactly one store round trip.
 */
export class CallLimiter {
  private readonly fallback: Limiter | null
  private readonly tools = new Map<string, Limiter | null>()

  constructor (create: (limit: ResolvedLimit) => Limiter, options: ResolvedRateLimit) {
    this.fallback = options.fallback === null ? null : create(options.fallback)
    for (const [name, limit] of options.tools) this.tools.set(name, limit === false ? null : create(limit))
  }

  /** Counts one call of `tool` by `client`; null within the limit (or when the tool has none). */
  take (tool: string, client: string): Promise<LimitExceeded | null> | null {
    const limiter = this.tools.has(tool) ? this.tools.get(tool)! : this.fallback
    if (limiter === null) return null
    // The length first: neither a tool name nor a client id can then forge another's key.
    const subject: CallSubject = { routeOptions: NO_ROUTE, key: `${tool.length}:${tool}:${client}` }
    // isAllowed is true only for an allowList, which this limiter has none of.
    return limiter(subject as unknown as FastifyRequest).then((state) => state.isAllowed || !state.isExceeded
      ? null
      : { max: state.max, timeWindow: state.timeWindow, retryAfterMs: state.ttl })
  }
}

/**
 * Registers @fastify/rate-limit in the MCP routes' context (global: false, so it adds no
 * route hook of its own) and builds the limiter. The counts go where the user said, else
 * to the state's Redis (`sharedRedis`: every instance then shares them), else to this
 * process. When an enclosing context registered it already, its createRateLimit (and so
 * its store) is the one used: our `redis` and `store` would be silently ignored then, so
 * they are refused.
 */
export async function createCallLimiter (fastify: FastifyInstance, options: ResolvedRateLimit, sharedRedis?: unknown): Promise<CallLimiter> {
  const { store } = options
  const given = store.redis !== undefined || store.store !== undefined
  if (fastify.hasDecorator('createRateLimit')) {
    if (given) {
      throw new FST_MCP_INVALID_OPTION(store.redis !== undefined ? 'rateLimit.redis' : 'rateLimit.store', 'set',
        'unset when @fastify/rate-limit is registered on an enclosing context (its store is used); pass the store there')
    }
  } else {
    const where = given
      ? store
      : sharedRedis !== undefined
        ? { ...store, redis: sharedRedis }
        // In memory: LocalStore, with each count its own (see SnapshotLocalStore).
        : { ...store, store: SnapshotLocalStore as unknown as FastifyRateLimitStoreCtor }
    await fastify.register(rateLimit, { global: false, ...where })
  }
  return new CallLimiter((limit) => fastify.createRateLimit({ ...limit, keyGenerator: keyOf }), options)
}
