// A minimal MCP client over a real socket, for the tests that need a stream read while it is
// still open (fastify.inject only returns an SSE response once the stream has ended):
// server-to-client requests answered mid-call, and notifications on the GET stream.
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'

export const LATEST = '2025-11-25'

/** Starts `app` on a loopback port, closed at the end of the test; returns the /mcp URL. */
export async function listen (t: Test, app: FastifyInstance): Promise<string> {
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  return `http://127.0.0.1:${port}/mcp`
}

export class HttpSession {
  readonly url: string
  readonly id: string

  constructor (url: string, id: string) {
    this.url = url
    this.id = id
  }

  /** Initializes a session declaring `capabilities`, and sends notifications/initialized. */
  static async open (url: string, capabilities: Record<string, unknown> = {}): Promise<HttpSession> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: LATEST, capabilities, clientInfo: { name: 'tap', version: '1.0.0' } } })
    })
    if (res.status !== 200) throw new Error(`initialize failed: ${res.status} ${await res.text()}`)
    await res.body?.cancel()
    const session = new HttpSession(url, res.headers.get('mcp-session-id')!)
    await session.post({ jsonrpc: '2.0', method: 'notifications/initialized' })
    return session
  }

  headers (): Record<string, string> {
    return { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': this.id, 'mcp-protocol-version': LATEST }
  }

  /** POSTs one message; for a notification or response the answer is 202 and is consumed here. */
  async post (message: unknown): Promise<Response> {
    const res = await fetch(this.url, { method: 'POST', headers: this.headers(), body: JSON.stringify(message) })
    if (res.status === 202) await res.body?.cancel()
    return res
  }

  /** Opens the session's standalone GET stream. */
  async listen (): Promise<SseReader> {
    const res = await fetch(this.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': this.id, 'mcp-protocol-version': LATEST } })
    if (res.status !== 200) throw new Error(`GET failed: ${res.status}`)
    return new SseReader(res)
  }
}

/** Reads JSON-RPC messages from an SSE response as they arrive. */
export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>
  private readonly decoder = new TextDecoder()
  private buffer = ''
  private readonly queue: any[] = []

  constructor (response: Response) {
    if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      throw new Error(`not an SSE response: ${response.headers.get('content-type')}`)
    }
    this.reader = response.body!.getReader()
  }

  /** The next message, or an error after `timeout` ms (tests never hang). */
  async next (timeout = 2000): Promise<any> {
    const deadline = Date.now() + timeout
    while (this.queue.length === 0) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('timed out waiting for an SSE message')
      let timer: NodeJS.Timeout | undefined
      const chunk = await Promise.race([
        this.reader.read(),
        new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('timed out waiting for an SSE message')), left) })
      ]).finally(() => clearTimeout(timer))
      if (chunk.done) throw new Error('the stream ended')
      this.buffer += this.decoder.decode(chunk.value, { stream: true })
      let end: number
      while ((end = this.buffer.indexOf('\n\n')) !== -1) {
        const block = this.buffer.slice(0, end)
        this.buffer = this.buffer.slice(end + 2)
        const data = block.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart()).join('\n')
        if (data !== '') this.queue.push(JSON.parse(data))
      }
    }
    return this.queue.shift()
  }

  /** True when the stream ends within `timeout` ms without another message. */
  async ended (timeout = 2000): Promise<boolean> {
    try {
      await this.next(timeout)
      return false
    } catch (err) {
      return (err as Error).message === 'the stream ended'
    }
  }

  async close (): Promise<void> {
    await this.reader.cancel().catch(() => {})
  }
}
