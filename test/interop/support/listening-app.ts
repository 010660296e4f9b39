import type { FastifyInstance } from 'fastify'

/** Listens on a random loopback port and returns the MCP endpoint's URL. */
export async function listenOnLoopback (app: FastifyInstance, path = '/mcp'): Promise<URL> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address')
  return new URL(`http://127.0.0.1:${address.port}${path}`)
}
