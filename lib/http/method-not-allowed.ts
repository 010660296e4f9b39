import type { FastifyInstance } from 'fastify'
import { FST_MCP_METHOD_NOT_ALLOWED } from '../errors.js'
import type { ResolvedOptions } from '../options.js'

/**
 * Routes every method Fastify knows that `url` does not serve to a 405 with an accurate
 * `Allow` (RFC 9110 §15.5.6), inside the MCP routes' context: without it an OPTIONS,
 * TRACE or QUERY fell through to the app's 404 handler and its non-JSON-RPC body
 * (issue 13 #4). Methods Fastify does not route at all (PURGE, LINK...) never reach a
 * plugin: the app's 404 handler answers them. With `cors`, OPTIONS stays @fastify/cors's
 * (its preflight route, which `preflightContinue` apps rely on).
 */
export function refuseOtherMethods (fastify: FastifyInstance, url: string, allowed: readonly string[], options: Pick<ResolvedOptions, 'cors'>): void {
  const allow = allowed.join(', ')
  const served = options.cors === false ? allowed : [...allowed, 'OPTIONS']
  fastify.route({
    method: fastify.supportedMethods.filter((method) => !served.includes(method)),
    url,
    handler: function mcpMethodNotAllowed (_request, reply) {
      reply.header('allow', allow)
      throw new FST_MCP_METHOD_NOT_ALLOWED(allow)
    }
  })
}
