// Two (or more) app instances in this process on one Redis: each with its own client,
// as separate processes would have. The child-process tests (SIGKILL) use instances.ts.
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import type { Test } from 'tap'
import mcpTransport, { redisState, type McpServer, type McpTransportOptions, type RedisStateOptions } from '../../../lib/index.js'
import { testServer } from '../../helpers.js'

export interface Instance {
  app: FastifyInstance
  client: Redis
  /** The /mcp URL of the instance's socket. */
  url: string
  server: McpServer
}

export async function startInstance (t: Test, redisUrl: string, options: Partial<McpTransportOptions> = {}, server: McpServer = testServer(), state: Partial<RedisStateOptions> = {}): Promise<Instance> {
  const client = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 })
  const app = Fastify({ logger: false })
  await app.register(mcpTransport, { server, state: redisState({ client, ...state }), ...options })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(async () => {
    await app.close()
    client.disconnect()
  })
  const { port } = app.server.address() as { port: number }
  return { app, client, url: `http://127.0.0.1:${port}/mcp`, server }
}
