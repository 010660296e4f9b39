// Requests of the 2026-07-28 ("modern") era for tests: the per-request _meta and the
// standard headers a conforming client sends.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { ACCEPT_BOTH } from '../helpers.js'

export const MODERN = '2026-07-28'

export function modernMeta (capabilities: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientCapabilities': capabilities,
    'io.modelcontextprotocol/clientInfo': { name: 'tap', version: '1.0.0' },
    ...extra
  }
}

/** The headers a modern client sends for `method` (Mcp-Name from params.name or params.uri). */
export function modernHeaders (method: string, params: Record<string, unknown> = {}): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: ACCEPT_BOTH,
    'mcp-protocol-version': MODERN,
    'mcp-method': method
  }
  const name = params.name ?? params.uri
  if (typeof name === 'string') headers['mcp-name'] = name
  return headers
}

export interface ModernRequestOptions {
  id?: number | string
  capabilities?: Record<string, unknown>
  meta?: Record<string, unknown>
  headers?: Record<string, string | undefined>
  notification?: boolean
  inject?: Partial<InjectOptions>
}

/** POSTs one modern request; `headers` entries set to undefined are removed. */
export async function modernRequest (app: FastifyInstance, method: string, params: Record<string, unknown> = {}, options: ModernRequestOptions = {}): Promise<LightMyRequestResponse> {
  const body: Record<string, unknown> = {
    jsonrpc: '2.0',
    method,
    params: { ...params, _meta: options.meta ?? modernMeta(options.capabilities) }
  }
  if (options.notification !== true) body.id = options.id ?? 1
  const headers: Record<string, string> = modernHeaders(method, params)
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === undefined) delete headers[name]
    else headers[name] = value
  }
  return app.inject({ method: 'POST', url: '/mcp', headers, payload: JSON.stringify(body), ...options.inject })
}
