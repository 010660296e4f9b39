import type { FastifyInstance } from 'fastify'
import type { Transport } from '../transport.js'

/** Liveness and counts for load balancers and dashboards. */
export function healthRoutes (fastify: FastifyInstance, transport: Transport): void {
  for (const url of transport.options.health) {
    fastify.get(url, function mcpHealth () {
      const health: Record<string, unknown> = {
        status: transport.closing ? 'closing' : 'ok',
        transport: 'streamable-http',
        state: transport.state.kind,
        active_sessions: transport.sessions.size,
        total_sessions: transport.sessions.totalCreated,
        open_streams: transport.hub.size,
        uptime: Math.round((Date.now() - transport.startedAt) / 1000)
      }
      // Calls refused before their handler (scopes, rate limits), per tool.
      if (transport.gate !== null) health.refused_calls = transport.gate.refused()
      return health
    })
  }
}
