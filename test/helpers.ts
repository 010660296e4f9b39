import Fastify, { type FastifyInstance, type InjectOptions, type LightMyRequestResponse } from 'fastify'
import { Type } from '@sinclair/typebox'
import mcpTransport, { createMcpServer, type McpServer, type McpTransportOptions } from '../lib/index.js'

export const ACCEPT_BOTH = 'application/json, text/event-stream'
export const LATEST = '2025-11-25'

/** A small server with tools that exercise each transport path. */
export function testServer (): McpServer {
  const server = createMcpServer({ name: 'test-server', version: '1.0.0' })
  server.tool('echo', { description: 'Echo', input: Type.Object({ text: Type.String() }) },
    ({ text }: { text: string }) => ({ content: [{ type: 'text', text }] }))
  server.tool('progress', { description: 'Reports progress twice', input: Type.Object({ steps: Type.Optional(Type.Integer()) }) },
    async ({ steps = 2 }: { steps?: number }, ctx) => {
      for (let i = 1; i <= steps; i++) ctx.progress(i, steps)
      return 'done'
    })
  server.tool('wait', { description: 'Waits until aborted or for ms', input: Type.Object({ ms: Type.Integer() }) },
    ({ ms }: { ms: number }, ctx) => new Promise((resolve) => {
      const timer = setTimeout(() => resolve('waited'), ms)
      ctx.signal.addEventListener('abort', () => { clearTimeout(timer); resolve('aborted') })
    }))
  server.tool('ask', { description: 'Asks the client for its roots', input: Type.Object({ timeout: Type.Optional(Type.Integer()) }) },
    async ({ timeout }: { timeout?: number }, ctx) => {
      try {
        const result = await ctx.request('roots/list', undefined, timeout === undefined ? undefined : { timeout })
        return JSON.stringify(result)
      } catch (err) {
        return { content: [{ type: 'text', text: `failed: ${(err as Error).message}` }], isError: true }
      }
    })
  server.tool('boom', { description: 'Throws' }, () => { throw new Error('tool exploded') })
  return server
}

export async function buildApp (options: Partial<McpTransportOptions> = {}, server: McpServer = testServer()): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  await app.register(mcpTransport, { server, ...options })
  await app.ready()
  return app
}

export function initializeBody (protocolVersion = LATEST, id: number | string = 1) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'tap', version: '1.0.0' } }
  }
}

export async function post (app: FastifyInstance, body: unknown, headers: Record<string, string> = {}, extra: Partial<InjectOptions> = {}): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/mcp',
    headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH, ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
    ...extra
  })
}

/** Initializes a session and sends notifications/initialized; returns the session id. */
export async function initSession (app: FastifyInstance, protocolVersion = LATEST): Promise<string> {
  const res = await post(app, initializeBody(protocolVersion))
  if (res.statusCode !== 200) throw new Error(`initialize failed: ${res.statusCode} ${res.body}`)
  const id = res.headers['mcp-session-id'] as string
  await post(app, { jsonrpc: '2.0', method: 'notifications/initialized' }, sessionHeaders(id, protocolVersion))
  return id
}

export function sessionHeaders (id: string, protocolVersion = LATEST): Record<string, string> {
  return { 'mcp-session-id': id, 'mcp-protocol-version': protocolVersion }
}

export interface ParsedEvent { id?: string, event?: string, data: string, retry?: number }

/** Parses an SSE body into events (comments dropped). */
export function parseSse (text: string): ParsedEvent[] {
  const events: ParsedEvent[] = []
  for (const block of text.split('\n\n')) {
    if (block.trim() === '') continue
    const event: ParsedEvent = { data: '' }
    let hasField = false
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue
      const colon = line.indexOf(':')
      const field = colon === -1 ? line : line.slice(0, colon)
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
      hasField = true
      if (field === 'data') event.data = event.data === '' ? value : `${event.data}\n${value}`
      else if (field === 'id') event.id = value
      else if (field === 'event') event.event = value
      else if (field === 'retry') event.retry = Number(value)
    }
    if (hasField) events.push(event)
  }
  return events
}

/** The JSON-RPC messages carried by an SSE body. */
export function sseMessages (text: string): any[] {
  return parseSse(text).filter((e) => e.data !== '').map((e) => JSON.parse(e.data))
}

/** Waits (bounded: 2 s) until `predicate` holds, checking once per event-loop turn. */
export async function until (predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in 2 s')
    await new Promise((resolve) => setImmediate(resolve))
  }
}
