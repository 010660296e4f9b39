import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ResolvedAuth } from './auth-options.js'

const WELL_KNOWN = '/.well-known/oauth-protected-resource'

// The metadata only changes when the server is redeployed; an hour of caching spares
// clients a fetch on every 401, and bounds how long they keep using an authorization
// server that was replaced.
const CACHE_CONTROL = 'public, max-age=3600'

/**
 * RFC 9728 §3.1: the well-known path is inserted between the host and the path of the
 * resource: `https://h/mcp` → `/.well-known/oauth-protected-resource/mcp`, and a resource
 * without a path (`https://h`, `https://h/`) → `/.well-known/oauth-protected-resource`.
 */
export function metadataPathOf (resource: URL): string {
  const path = resource.pathname
  return path === '/' ? WELL_KNOWN : `${WELL_KNOWN}${path}`
}

/**
 * A resource URI in the form audiences are compared in (2025-11-25 authorization
 * §Canonical Server URI): scheme and host lowercased and a default port dropped (URL
 * parsing does both), one trailing slash removed; the path stays case-sensitive. null
 * when it is not an absolute URI.
 */
export function comparableResource (uri: string): string | null {
  let href: string
  try {
    href = new URL(uri).href
  } catch {
    return null
  }
  return href.endsWith('/') ? href.slice(0, -1) : href
}

/**
 * Serves the Protected Resource Metadata (2025-11-25 authorization §Protected Resource
 * Metadata Discovery Requirements: clients try the path-suffixed URL, then the root one; we
 * serve both). Registered in the context the plugin was registered in, outside the MCP
 * routes' context: neither the origin guard nor the bearer guard applies, since clients
 * read this document before they have a token, from any origin.
 */
export function resourceMetadataRoutes (fastify: FastifyInstance, auth: ResolvedAuth, declaredScopes?: () => string[]): void {
  if (fastify.prefix !== '') {
    fastify.log.warn({ paths: auth.metadataPaths, prefix: fastify.prefix },
      'fastify-mcp-transport: the OAuth protected resource metadata is served under this context\'s prefix, not at the root of the origin where clients look for it; register the plugin at the root and use its own prefix option')
  }
  const announced = auth.announceScopes ? declaredScopes : undefined

  // RFC 9728 §2 scopes_supported: unless the user wrote the list, it names the endpoint's
  // required scopes and every scope a tool, prompt or resource declares. Asked at each
  // fetch: tools come and go while the server runs.
  function body (): string {
    if (announced === undefined) return auth.metadataJson
    const scopes = [...new Set([...auth.requiredScopes, ...announced()])]
    return scopes.length === 0 ? auth.metadataJson : JSON.stringify({ ...auth.metadata, scopes_supported: scopes })
  }

  function resourceMetadata (_request: FastifyRequest, reply: FastifyReply): void {
    // A public document that browser clients must be able to read from any origin.
    reply.header('access-control-allow-origin', '*')
      .header('cache-control', CACHE_CONTROL)
      .type('application/json; charset=utf-8')
      .send(body())
  }

  // Browser clients send MCP-Protocol-Version with this GET (the SDK does), which needs a
  // CORS preflight: allow any header, since no credentials are involved.
  function resourceMetadataPreflight (request: FastifyRequest, reply: FastifyReply): void {
    const headers = request.headers['access-control-request-headers']
    reply.header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', 'GET')
      .header('access-control-max-age', '86400')
    if (headers !== undefined) reply.header('access-control-allow-headers', headers).header('vary', 'access-control-request-headers')
    reply.code(204).send()
  }

  for (const path of auth.metadataPaths) {
    // Colons would make find-my-way read a path parameter; `::` is a literal colon.
    const url = path.replaceAll(':', '::')
    // Another registration of the plugin (a second MCP endpoint on this origin) may have
    // served the root document already: the first one keeps it.
    if (fastify.hasRoute({ method: 'GET', url })) continue
    fastify.get(url, resourceMetadata)
    fastify.options(url, resourceMetadataPreflight)
  }
}
