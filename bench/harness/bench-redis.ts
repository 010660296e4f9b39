// The Redis the `plugin-redis` target runs against (issue 11): REDIS_URL when it is set
// (someone else's server: used as it is, never flushed), otherwise a redis-server of our own
// on a free loopback port, started fresh before every step so that no step inherits the
// keys of the one before, and stopped (or killed with the runner) at the end.
import { findRedisServer, startRedisServer, type RedisServer } from '../../test/cluster/support/redis-server.js'
import type { TargetInfo } from './targets.js'

export interface BenchRedis {
  url: string
  /** Ours (started here) rather than REDIS_URL's. */
  owned: boolean
  /** For the report: whose server it is. */
  description: string
  /** Before a step: an empty server when it is ours; nothing when it is REDIS_URL's. */
  fresh: () => Promise<void>
  stop: () => Promise<void>
}

/** The bench's Redis, or the reason there is none. */
export async function benchRedis (env: NodeJS.ProcessEnv = process.env): Promise<BenchRedis | string> {
  const given = env.REDIS_URL
  if (given !== undefined && given !== '') {
    return { url: given, owned: false, description: `REDIS_URL (${given}), not flushed between steps`, fresh: async () => {}, stop: async () => {} }
  }
  const binary = findRedisServer()
  if (binary === null) return 'redis-server is not installed and REDIS_URL is not set'
  let server: RedisServer
  try {
    server = await startRedisServer(binary)
  } catch (err) {
    return `redis-server did not start: ${(err as Error).message.split('\n')[0]}`
  }
  return {
    url: server.url,
    owned: true,
    description: `its own redis-server (${binary}, --save '' --appendonly no) on ${server.url}`,
    fresh: () => server.restart(),
    stop: () => server.stop()
  }
}

/** The targets with REDIS_URL in their environment where they need it. */
export function withRedis (targets: readonly TargetInfo[], redis: BenchRedis): TargetInfo[] {
  return targets.map((t) => t.redis === true ? { ...t, env: { ...t.env, REDIS_URL: redis.url } } : t)
}
