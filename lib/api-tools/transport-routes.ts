import type { FastifyInstance, RouteOptions } from 'fastify'

// The plugin's own routes (/mcp, /sse, /messages, health, resource metadata): never tools.
// A WeakSet of their route options, filled by an onRoute hook in each of the plugin's
// contexts, so no marker shows in the routes' config.
const transportRoutes = new WeakSet<RouteOptions>()

/** Called first in every encapsulated context the plugin declares routes in. */
export function markTransportRoutes (instance: FastifyInstance): void {
  instance.addHook('onRoute', (route) => {
    transportRoutes.add(route)
  })
}

export function isTransportRoute (route: RouteOptions): boolean {
  return transportRoutes.has(route)
}
