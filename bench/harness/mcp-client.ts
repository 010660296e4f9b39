// A minimal MCP client over node:http for setting workloads up (sessions, control calls,
// checks). The measured load itself goes through autocannon with the same bodies.
import http, { type IncomingHttpHeaders } from 'node:http'

export const PROTOCOL_VERSION = '2025-11-25'
export const ACCEPT_BOTH = 'application/json, text/event-stream'
const REQUEST_TIMEOUT_MS = 30_000

export interface HttpAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

export interface JsonRpcAnswer {
  id?: string | number
  method?: string
  result?: { content?: Array<{ type: string, text?: string }>, [key: string]: unknown }
  error?: { code: number, message: string }
  params?: Record<string, unknown>
}

export function initializeBody (id: number | string = 1): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'fastify-mcp-transport-bench', version: '0.1.0' } }
  })
}

export function toolCallBody (id: number | string, name: string, args: Record<string, unknown>, progressToken?: string): string {
  const params: Record<string, unknown> = { name, arguments: args }
  if (progressToken !== undefined) params._meta = { progressToken }
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params })
}

export function postHeaders (sessionId?: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: ACCEPT_BOTH }
  if (sessionId !== undefined) {
    headers['mcp-session-id'] = sessionId
    headers['mcp-protocol-version'] = PROTOCOL_VERSION
  }
  return headers
}

/** The JSON-RPC messages of an answer, whether it came as JSON or as an SSE stream. */
export function messagesOf (answer: HttpAnswer): JsonRpcAnswer[] {
  const type = String(answer.headers['content-type'] ?? '')
  if (type.startsWith('text/event-stream')) {
    const out: JsonRpcAnswer[] = []
    for (const line of answer.body.split('\n')) {
      if (!line.startsWith('data:')) continue
      // An empty data line is a priming event (2025-11-25 resumability), not a message.
      const data = line.slice(5).trim()
      if (data !== '') out.push(JSON.parse(data) as JsonRpcAnswer)
    }
    return out
  }
  const parsed = JSON.parse(answer.body) as JsonRpcAnswer | JsonRpcAnswer[]
  return Array.isArray(parsed) ? parsed : [parsed]
}

/** The first text content of the response (the message with an id) in an answer. */
export function resultText (answer: HttpAnswer): string | undefined {
  const response = messagesOf(answer).find((m) => m.id !== undefined)
  return response?.result?.content?.[0]?.text
}

export class McpClient {
  readonly url: URL
  readonly agent: http.Agent
  private nextId = 1

  constructor (url: string, maxSockets = 64) {
    this.url = new URL(url)
    this.agent = new http.Agent({ keepAlive: true, maxSockets })
  }

  send (method: string, headers: Record<string, string>, body?: string | Buffer): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const req = http.request(this.url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      })
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${this.url.href} timed out`)))
      req.on('error', reject)
      req.end(body)
    })
  }

  post (body: string | Buffer, sessionId?: string): Promise<HttpAnswer> {
    return this.send('POST', postHeaders(sessionId), body)
  }

  /** Opens a session (initialize, then notifications/initialized) and returns its id. */
  async initialize (announce = true): Promise<string> {
    const answer = await this.post(initializeBody(this.nextId++))
    const id = answer.headers['mcp-session-id']
    if (answer.status !== 200 || typeof id !== 'string') throw new Error(`initialize failed: ${answer.status} ${answer.body.slice(0, 200)}`)
    if (announce) {
      const sent = await this.post(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), id)
      if (sent.status !== 202) throw new Error(`notifications/initialized failed: ${sent.status} ${sent.body.slice(0, 200)}`)
    }
    return id
  }

  callTool (sessionId: string, name: string, args: Record<string, unknown>, progressToken?: string): Promise<HttpAnswer> {
    return this.post(toolCallBody(this.nextId++, name, args, progressToken), sessionId)
  }

  async deleteSession (sessionId: string): Promise<number> {
    const answer = await this.send('DELETE', { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL_VERSION })
    return answer.status
  }

  close (): void {
    this.agent.destroy()
  }
}

/** Runs `task` for 0..count-1 with at most `concurrency` in flight; resolves when all are done. */
export async function inParallel (count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0
  async function worker (): Promise<void> {
    while (next < count) await task(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
}
