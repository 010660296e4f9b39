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

export interface ListenFrame { method?: string, id?: number, params?: any, result?: any, error?: any }

/**
 * Opens a subscriptions/listen stream on a real socket (inject returns an SSE answer only
 * once it ended) and collects its JSON-RPC frames and keep-alive comments as they arrive.
 */
export async function openListen (port: number, notifications: unknown, options: { id?: number, capabilities?: Record<string, unknown>, headers?: Record<string, string> } = {}) {
  const controller = new AbortController()
  const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
    method: 'POST',
    headers: { ...modernHeaders('subscriptions/listen'), ...options.headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: options.id ?? 42, method: 'subscriptions/listen', params: { notifications, _meta: modernMeta(options.capabilities) } }),
    signal: controller.signal
  })
  const frames: ListenFrame[] = []
  let comments = 0
  let ended = false
  const waiters: Array<() => void> = []
  if (res.headers.get('content-type')?.startsWith('text/event-stream') === true) {
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer += decoder.decode(value, { stream: true })
          let cut
          while ((cut = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, cut)
            buffer = buffer.slice(cut + 2)
            if (block.startsWith(':')) comments++
            const data = block.split('\n').find((line) => line.startsWith('data: '))
            if (data !== undefined) frames.push(JSON.parse(data.slice(6)))
            for (const wake of waiters.splice(0)) wake()
          }
        }
      } catch {}
      ended = true
      for (const wake of waiters.splice(0)) wake()
    })()
  } else {
    ended = true
  }
  async function until (check: () => boolean): Promise<void> {
    const deadline = Date.now() + 3000
    while (!check()) {
      if (ended || Date.now() > deadline) return
      await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 50) })
    }
  }
  return { res, frames, until, comments: () => comments, ended: () => ended, close: () => controller.abort() }
}
