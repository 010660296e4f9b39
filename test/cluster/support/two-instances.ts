// Two (or more) app instances in this process on one Redis: each with its own client,
// as separate processes would have. The child-process tests (SIGKILL) use instances.ts.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { Redis } from 'ioredis'
import type { Test } from 'tap'
import mcpTransport, { redisState, type McpServer, type McpTransportOptions, type RedisClient, type RedisStateOptions } from '../../../lib/index.js'
import { testServer } from '../../helpers.js'

export interface Instance {
  app: FastifyInstance
  client: RedisClient & { disconnect: () => void }
  /** The /mcp URL of the instance's socket. */
  url: string
  server: McpServer
}

export interface InstanceSetup {
  /** The client the state uses (default: a new ioredis client for redisUrl). */
  client?: RedisClient & { disconnect: () => void }
  /** Fastify's logger option (default: off). */
  logger?: FastifyServerOptions['logger']
}

export async function startInstance (t: Test, redisUrl: string, options: Partial<McpTransportOptions> = {}, server: McpServer = testServer(), state: Partial<RedisStateOptions> = {}, setup: InstanceSetup = {}): Promise<Instance> {
  const client = setup.client ?? new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 })
  const app = Fastify({ logger: setup.logger ?? false })
  await app.register(mcpTransport, { server, state: redisState({ client, ...state }), ...options })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => {
    await app.close()
    client.disconnect()
  })
  const { port } = app.server.address() as { port: number }
  return { app, client, url: `http://127.0.0.1:${port}/mcp`, server }
}
