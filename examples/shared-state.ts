// Where the examples keep their shared state (issue 11): in Redis when REDIS_URL is set, in
// memory (the plugin's default) otherwise. `npm start`, the conformance server, the bench
// target and the cluster app all call this one function, so "is this instance on Redis?"
// has one answer.
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { redisState, type McpTransportOptions } from '../lib/index.js'

/**
 * The transport options that put every piece of shared state in Redis at `redisUrl`.
 * The Redis client is the application's, not the plugin's (the plugin never quits a client
 * it was given): it is quit in an onClose hook added here, before the plugin is registered,
 * so it runs after the plugin's own close (Fastify runs onClose hooks last-added first).
 */
export function redisStateOptions (app: FastifyInstance, redisUrl: string): Partial<McpTransportOptions> {
  // A client built as the README tells users to (ioredis defaults): what the tests prove is
  // what users get.
  const client = new Redis(redisUrl)
  app.addHook('onClose', async () => { await client.quit().catch(() => client.disconnect()) })
  return { state: redisState({ client }) }
}

/** Redis when the environment names one (REDIS_URL), nothing (memory) otherwise. */
export function sharedStateFromEnv (app: FastifyInstance, env: NodeJS.ProcessEnv = process.env): Partial<McpTransportOptions> {
  const url = env.REDIS_URL
  return url === undefined || url === '' ? {} : redisStateOptions(app, url)
}
