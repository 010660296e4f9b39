import type { FastifyInstance, RouteOptions } from 'fastify'

/**
 * Serves every MCP route at its path with a trailing slash too (`/mcp/` as `/mcp`): some
 * clients add one, and the app's 404 for it is not JSON-RPC (issue 13 #4). An onRoute hook
 * of the MCP routes' context, so each route file registers its path once. Nothing to do when
 * the app's router already ignores trailing slashes (the twin would be a duplicate route).
 */
export function serveTrailingSlash (instance: FastifyInstance): void {
  const config = instance.initialConfig
  if ((config.routerOptions ?? config).ignoreTrailingSlash === true) return
  instance.addHook('onRoute', function mcpTrailingSlashTwin (route: RouteOptions & { routePath: string }) {
    const path = route.routePath
    // '*' is @fastify/cors's preflight catch-all, already every path.
    if (path.endsWith('/') || path.includes('*')) return
    instance.route({ ...route, url: `${path}/` })
  })
}
