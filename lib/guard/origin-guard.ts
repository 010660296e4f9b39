import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { FST_MCP_FORBIDDEN_HOST, FST_MCP_FORBIDDEN_ORIGIN } from '../errors.js'

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]'])

export interface OriginGuardOptions {
  allowedOrigins: string[] | undefined
  allowedHosts: string[] | false | undefined
}

/** 'example.com:3000' → 'example.com', '[::1]:3000' → '[::1]'. Lowercased. */
export function hostnameOf (host: string): string {
  const lower = host.toLowerCase()
  if (lower.startsWith('[')) {
    const end = lower.indexOf(']')
    return end === -1 ? lower : lower.slice(0, end + 1)
  }
  const colon = lower.indexOf(':')
  return colon === -1 ? lower : lower.slice(0, colon)
}

function isLoopbackAddress (address: string | undefined): boolean {
  // fastify.inject has no socket address: treat it as local, the strict choice.
  return address === undefined || address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}

/**
 * DNS-rebinding protection (2025-11-25 transports §Security Warning #1): an Origin that is
 * present and not allowed gets 403; requests without Origin (non-browser clients) pass. On
 * loopback binds the Host header is checked too, which is what stops a rebound name
 * (conformance `dns-rebinding-protection`).
 */
export function createOriginGuard (options: OriginGuardOptions) {
  const origins = options.allowedOrigins === undefined
    ? null
    : new Set(options.allowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, '')))
  const anyOrigin = origins?.has('*') === true
  const hosts = Array.isArray(options.allowedHosts)
    ? new Set(options.allowedHosts.map((h) => h.toLowerCase()))
    : null
  const checkHosts = options.allowedHosts !== false
  // Clients send the same Host on every request: remember each value's answer (bounded,
  // since the values come from the network).
  const knownHosts = new Map<string, boolean>()

  function hostNameAllowed (host: string): boolean {
    let allowed = knownHosts.get(host)
    if (allowed === undefined) {
      allowed = hosts === null
        ? LOOPBACK_NAMES.has(hostnameOf(host))
        : hosts.has(host.toLowerCase()) || hosts.has(hostnameOf(host))
      if (knownHosts.size >= 64) knownHosts.clear()
      knownHosts.set(host, allowed)
    }
    return allowed
  }

  function hostAllowed (request: FastifyRequest, host: string | undefined): boolean {
    if (!checkHosts) return true
    if (hosts === null && !isLoopbackAddress(request.socket.localAddress)) return true
    return host !== undefined && hostNameAllowed(host)
  }

  function originAllowed (origin: string, host: string | undefined): boolean {
    if (anyOrigin) return true
    if (origins !== null) return origins.has(origin.toLowerCase().replace(/\/+$/, ''))
    let url: URL
    try {
      url = new URL(origin)
    } catch {
      return false // 'null' and other opaque origins
    }
    if (LOOPBACK_NAMES.has(url.hostname)) return true
    // Same origin as the Host the request was sent to; Host itself is checked above.
    return host !== undefined && url.host === host.toLowerCase()
  }

  return function originGuard (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    // HTTP/2 carries the host in the :authority pseudo-header instead (RFC 9113 §8.3.1).
    const host = request.headers.host ?? request.headers[':authority'] as string | undefined
    if (!hostAllowed(request, host)) {
      done(new FST_MCP_FORBIDDEN_HOST(String(host)))
      return
    }
    const origin = request.headers.origin
    if (origin !== undefined && !originAllowed(origin, host)) {
      done(new FST_MCP_FORBIDDEN_ORIGIN(origin))
      return
    }
    done()
  }
}
