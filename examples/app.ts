import type { FastifyInstance } from 'fastify'
import mcpTransport from '../lib/index.js'
import { createDemoServer } from './demo-server.js'

// The app module `npm start` runs with fastify-cli: `fastify start dist/examples/app.js`.
export default async function app (fastify: FastifyInstance, _options: object): Promise<void> {
  await fastify.register(mcpTransport, { server: createDemoServer() })
}
