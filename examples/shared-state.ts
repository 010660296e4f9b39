// Where the examples keep their shared state (issue 11): in Redis when REDIS_URL is set, in
// memory (the plugin's default) otherwise. `npm start`, the conformance server, the bench
// target and the cluster app all call this one function, so "is this instance on Redis?"
// has one answer.
import type { FastifyInstance } from 'fastify'
import { redisState, type McpTransportOptions } from '../lib/index.js'

const QUIT_TIMEOUT_MS = 1000

/**
 * The transport options that put every piece of shared state in Redis at `redisUrl`.
 * The Redis client is the application's, not the plugin's (the plugin never quits a client
 * it was given): it is quit in an onClose hook added here, before the plugin is registered,
 * so it runs after the plugin's own close (Fastify runs onClose hooks last-added first).
 */
export async function redisStateOptions (app: FastifyInstance, redisUrl: string): Promise<Partial<McpTransportOptions>> {
  // Loaded only here: an app without REDIS_URL never loads ioredis (an optional peer). The
  // client is built as the README tells users to (ioredis defaults): what the tests prove is
  // what users get.
  const { Redis } = await import('ioredis')
  const client = new Redis(redisUrl)
  app.addHook('onClose', async () => {
    // QUIT waits for Redis to answer; a paused or unreachable Redis must not hold the close.
    const timer = setTimeout(() => client.disconnect(), QUIT_TIMEOUT_MS)
    try {
      await client.quit()
    } catch {
      client.disconnect()
    } finally {
      clearTimeout(timer)
    }
  })
  return { state: redisState({ client }) }
}

/** Redis when the environment names one (REDIS_URL), nothing (memory) otherwise. */
export async function sharedStateFromEnv (app: FastifyInstance, env: NodeJS.ProcessEnv = process.env): Promise<Partial<McpTransportOptions>> {
  const url = env.REDIS_URL
  return url === undefined || url === '' ? {} : await redisStateOptions(app, url)
}
