import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import cors from '@fastify/cors'
import type { McpSessions, McpTransportPluginOptions } from '../types/index.js'
import { createOriginGuard } from './guard/origin-guard.js'
import { createErrorHandler } from './http/error-handler.js'
import { healthRoutes } from './http/health-route.js'
import { parseJsonBody } from './http/json-body-parser.js'
import { serveTrailingSlash } from './http/trailing-slash.js'
import { answerOversizedExpect } from './http/expect-continue.js'
import { streamableRoutes } from './http/streamable-routes.js'
import { legacySseRoutes } from './http/legacy-sse-routes.js'
import { deprecatedRoutes } from './http/deprecated-routes.js'
import { optionsOf, resolveOptions } from './options.js'
import { createBearerGuard } from './auth/bearer-guard.js'
import { resourceMetadataRoutes } from './auth/resource-metadata.js'
import { Transport } from './transport.js'
import { loadTelemetry } from './telemetry/load-telemetry.js'
import { markTransportRoutes } from './api-tools/transport-routes.js'
import { createCallGate } from './access/call-gate.js'
import { createCallLimiter } from './access/call-limiter.js'

// Headers a browser client must be allowed to send and to read (2025-11-25 transports).
// Mcp-Param-* names vary per tool: pass `cors: { allowedHeaders: [...] }` to allow them.
const MCP_REQUEST_HEADERS = ['content-type', 'accept', 'authorization', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id', 'mcp-method', 'mcp-name']
// www-authenticate: a browser client reads the challenge to find the resource metadata.
const MCP_EXPOSED_HEADERS = ['mcp-session-id', 'mcp-protocol-version', 'www-authenticate']

// fastify-plugin skips encapsulation, so Fastify would ignore `prefix` for this plugin;
// the routes' own contexts apply it instead, as users expect from register(..., { prefix }).
// register(mcpTransport, server) takes every default, prefix included: a server object's
// own fields are never read as options.
async function mcpTransport (fastify: FastifyInstance, registered: McpTransportPluginOptions & { prefix?: string }): Promise<void> {
  const opts = optionsOf(registered)
  const options = resolveOptions(opts)
  // Only with the telemetry option: @opentelemetry/api is loaded here, or never. Before the
  // state opens, so a missing package leaves nothing open behind it.
  const telemetry = options.telemetry === null ? null : await loadTelemetry(options.telemetry)
  const state = await options.state.open({ options, log: fastify.log })
  let requestStateKeys: Uint8Array[] | undefined
  try {
    requestStateKeys = await state.requestStateKeys?.()
  } catch (err) {
    await state.close()
    throw err
  }
  const transport = new Transport(options, state, requestStateKeys, telemetry)
  telemetry?.observe(transport)
  fastify.decorate('mcpSessions', mcpSessions(transport))

  // The MCP routes live in their own encapsulated context: their body parser, error
  // rendering, CORS and guards must not change how the rest of the app behaves.
  await fastify.register(async function mcpRoutes (instance) {
    // The plugin's routes never become tools of server.routes(app).
    markTransportRoutes(instance)
    instance.removeAllContentTypeParsers()
    instance.addContentTypeParser('application/json', { parseAs: 'string' }, parseJsonBody)
    instance.setErrorHandler(createErrorHandler(options.bodyLimit, { bytes: options.lingerBytes, timeout: options.lingerTimeout }))
    serveTrailingSlash(instance)
    answerOversizedExpect(instance)
    if (options.cors !== false) {
      await instance.register(cors, {
        // Reflect the request's Origin: the origin guard has already refused any that is
        // not allowed, so what reaches CORS is exactly the allowed set.
        origin: true,
        methods: ['GET', 'POST', 'DELETE'],
        allowedHeaders: MCP_REQUEST_HEADERS,
        exposedHeaders: MCP_EXPOSED_HEADERS,
        // An OPTIONS that is not a complete preflight gets the empty 204 too, not
        // @fastify/cors's text/plain 400: every answer on the MCP paths is JSON-RPC or empty.
        strictPreflight: false,
        ...options.cors
      })
    }
    instance.addHook('onRequest', createOriginGuard(options))
    // Only with the auth option: without it no hook, no decorator, nothing per request.
    if (options.auth !== null) {
      instance.decorateRequest('mcpAuth', undefined)
      // After the origin guard: a refused origin never reaches the verifier.
      instance.addHook('onRequest', createBearerGuard(options.auth))
    }
    // Per-item scopes and per-call limits: only with auth or rateLimit, so the routes of an
    // app using neither check nothing (transport.gate stays null).
    const limiter = options.rateLimit === null ? null : await createCallLimiter(instance, options.rateLimit, state.redis)
    const gate = transport.gate = createCallGate(options.server, options.auth, limiter)
    if (gate !== null && telemetry !== null) gate.onRefused = telemetry.refusals()
    streamableRoutes(instance, transport)
    if (options.legacySse) legacySseRoutes(instance, transport)
    if (options.deprecatedRoutes) deprecatedRoutes(instance, transport)
  }, { prefix: opts.prefix })

  // At the root (the context the plugin is registered in, without its prefix), where
  // clients look for it; outside the MCP routes' context, so no guard applies.
  const auth = options.auth
  if (auth !== null) {
    await fastify.register(async function mcpResourceMetadata (instance) {
      markTransportRoutes(instance)
      const server = options.server
      resourceMetadataRoutes(instance, auth, server.declaredScopes === undefined ? undefined : () => server.declaredScopes!())
    })
  }

  if (options.health.length > 0) {
    await fastify.register(async function mcpHealth (instance) {
      markTransportRoutes(instance)
      healthRoutes(instance, transport)
    }, { prefix: opts.prefix })
  }

  // preClose, not onClose: open SSE responses would keep server.close() waiting forever.
  fastify.addHook('preClose', function closeMcpTransport () {
    return transport.close()
  })
  if (telemetry !== null) fastify.addHook('onClose', function stopMcpTelemetry (_instance, done) {
    telemetry.close()
    done()
  })
}

/** `fastify.mcpSessions`: the registry, with sends that reach streams on any instance. */
function mcpSessions (transport: Transport): McpSessions {
  const { sessions, delivery } = transport
  return {
    get size () { return sessions.size },
    get totalCreated () { return sessions.totalCreated },
    get: (id) => sessions.get(id),
    has: (id) => sessions.has(id),
    list: () => sessions.list(),
    close: (id) => sessions.close(id),
    notify: (id, notification) => delivery.notify(id, notification),
    broadcast: (notification) => delivery.broadcastSessions(notification)
  }
}

export default fp(mcpTransport, {
  name: 'fastify-mcp-transport',
  fastify: '5.x'
})
