import type { FastifyInstance } from 'fastify'
import mcpTransport from '../lib/index.js'
import { createDemoServer } from './demo-server.js'
import { sharedStateFromEnv } from './shared-state.js'

// The app module `npm start` runs with fastify-cli: `fastify start dist/examples/app.js`.
// With REDIS_URL set, its sessions and streams live in that Redis (issue 11).
export default async function app (fastify: FastifyInstance, _options: object): Promise<void> {
  await fastify.register(mcpTransport, { server: createDemoServer(), ...await sharedStateFromEnv(fastify) })
}
