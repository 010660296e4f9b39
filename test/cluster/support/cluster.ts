// The usual cluster of a test file: one redis-server, N instances on it, a round-robin front
// before them. Teardown runs last-registered first, so the front closes, then the instances
// stop (each closing its Redis connections), then redis-server goes.
import { startInstances, type Instance, type InstanceOptions, type Teardown } from './instances.js'
import { redisForTest, type RedisServer, type TapLike } from './redis-server.js'
import { startRoundRobin, type RoundRobinFront } from './round-robin.js'

export interface Cluster {
  redis: RedisServer
  /** A, B, ... in the front's order. */
  instances: Instance[]
  front: RoundRobinFront
  /** The front's MCP endpoint: `${front.url}/mcp`. */
  url: string
}

export interface ClusterOptions extends Omit<InstanceOptions, 'redisUrl' | 'name'> {
  /** How many instances; default 2. */
  size?: number
}

/**
 * Starts the cluster, or returns null when redis-server is missing (the file is then skipped,
 * or failed under CI=true: see redisForTest). Callers return at once on null.
 */
export async function startCluster (t: TapLike & Teardown, options: ClusterOptions = {}): Promise<Cluster | null> {
  const redis = await redisForTest(t)
  if (redis === null) return null
  const { size = 2, ...instanceOptions } = options
  const instances = await startInstances(size, { ...instanceOptions, redisUrl: redis.url }, t)
  const front = await startRoundRobin(instances.map((instance) => instance.url))
  t.teardown(() => front.close())
  return { redis, instances, front, url: `${front.url}/mcp` }
}
