import { once } from 'node:events'
import { get, type IncomingMessage } from 'node:http'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { parseSse, type ParsedEvent } from '../helpers.js'

/**
 * Reads SSE events one at a time from a stream that does not end (an inject
 * `payloadAsStream` body or a fetch body), each wait bounded so a test cannot hang.
 */
export class SseReader {
  private readonly iterator: AsyncIterator<Uint8Array | string>
  private buffer = ''
  private readonly queue: ParsedEvent[] = []
  // A read that outlived its wait: the next wait takes it over so no chunk is lost.
  private inflight: Promise<IteratorResult<Uint8Array | string>> | null = null
  ended = false
  /** Every chunk received, comments included, to check what went over the wire. */
  raw = ''

  constructor (source: AsyncIterable<Uint8Array | string>) {
    this.iterator = source[Symbol.asyncIterator]()
  }

  /** The next event (comments skipped); rejects after `ms` or when the stream ends first. */
  async next (ms = 2000): Promise<ParsedEvent> {
    const deadline = Date.now() + ms
    while (this.queue.length === 0) {
      if (this.ended) throw new Error('stream ended')
      await this.pull(deadline - Date.now())
    }
    return this.queue.shift()!
  }

  /** The next JSON-RPC message (a `message` event); priming events (empty data) are skipped. */
  async message (ms = 2000): Promise<any> {
    let event = await this.next(ms)
    while (event.data === '' && event.event === undefined) event = await this.next(ms)
    if (event.event !== 'message') throw new Error(`expected a message event, got ${String(event.event)}`)
    return JSON.parse(event.data)
  }

  /** Reads until everything received so far satisfies `check`; rejects after `ms`. */
  async until (check: (raw: string) => boolean, ms = 2000): Promise<string> {
    const deadline = Date.now() + ms
    while (!check(this.raw)) {
      if (this.ended) throw new Error('stream ended')
      await this.pull(deadline - Date.now())
    }
    return this.raw
  }

  /** Resolves true when the stream ends within `ms`, reading (and keeping) what comes before. */
  async waitEnd (ms = 2000): Promise<boolean> {
    const deadline = Date.now() + ms
    while (!this.ended) {
      const left = deadline - Date.now()
      if (left <= 0) return false
      try {
        await this.pull(left)
      } catch {
        return this.ended
      }
    }
    return true
  }

  private async pull (ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no SSE data within the wait (buffer: ${JSON.stringify(this.buffer)})`)), Math.max(ms, 0))
    })
    let result: IteratorResult<Uint8Array | string>
    try {
      this.inflight ??= this.iterator.next()
      result = await Promise.race([this.inflight, timeout])
      this.inflight = null
    } catch (err) {
      // A destroyed or aborted body ends the stream as far as the reader is concerned.
      if ((err as Error).message.startsWith('no SSE data')) throw err
      this.inflight = null
      this.ended = true
      return
    } finally {
      clearTimeout(timer)
    }
    if (result.done === true) {
      this.ended = true
      return
    }
    const text = typeof result.value === 'string' ? result.value : Buffer.from(result.value).toString('utf8')
    this.raw += text
    this.buffer += text
    const cut = this.buffer.lastIndexOf('\n\n')
    if (cut === -1) return
    this.queue.push(...parseSse(this.buffer.slice(0, cut + 2)))
    this.buffer = this.buffer.slice(cut + 2)
  }
}

export interface InjectedSse {
  res: LightMyRequestResponse
  reader: SseReader
  /** The session id from the endpoint event. */
  sessionId: string
  /** The URI the endpoint event named. */
  endpoint: string
}

/** Opens GET /sse through inject and reads the endpoint event. */
export async function openLegacy (app: FastifyInstance, url = '/sse', headers: Record<string, string> = {}): Promise<InjectedSse> {
  const res = await app.inject({ method: 'GET', url, headers: { accept: 'text/event-stream', ...headers }, payloadAsStream: true })
  if (res.statusCode !== 200) throw new Error(`GET ${url} failed: ${res.statusCode} ${res.body}`)
  const reader = new SseReader(res.stream())
  const first = await reader.next()
  if (first.event !== 'endpoint') throw new Error(`first event is ${String(first.event)}, not endpoint`)
  const sessionId = new URL(first.data, 'http://localhost').searchParams.get('sessionId') ?? ''
  return { res, reader, sessionId, endpoint: first.data }
}

export async function postMessage (app: FastifyInstance, sessionId: string, body: unknown, headers: Record<string, string> = {}, url = '/messages'): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: `${url}?sessionId=${encodeURIComponent(sessionId)}`,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body)
  })
}

export function initializeMessage (id: number | string = 1, protocolVersion = '2024-11-05') {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'legacy-tap', version: '1.0.0' } }
  }
}

/** Waits until `check` holds, polling; false after `ms`. For state that changes on 'close'. */
export async function eventually (check: () => boolean, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return true
}

export interface FetchedSse {
  response: IncomingMessage
  reader: SseReader
  sessionId: string
  endpoint: string
  /** Drops the connection, as a client that goes away does. */
  close: () => void
}

/** Listens on a loopback port; returns the base URL. Close the app in teardown. */
export async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return `http://127.0.0.1:${address.port}`
}

/**
 * Opens GET /sse over a real socket and reads the endpoint event. node:http with its own
 * connection, not fetch: after an abort undici opens a spare connection that keeps
 * app.close() waiting for its keep-alive timeout.
 */
export async function fetchLegacy (base: string, path = '/sse'): Promise<FetchedSse> {
  const request = get(`${base}${path}`, { agent: false, headers: { accept: 'text/event-stream' }, timeout: 5000 })
  const [response] = await once(request, 'response') as [IncomingMessage]
  if (response.statusCode !== 200) {
    request.destroy()
    throw new Error(`GET ${path} failed: ${String(response.statusCode)}`)
  }
  const reader = new SseReader(response)
  const first = await reader.next()
  if (first.event !== 'endpoint') throw new Error(`first event is ${String(first.event)}, not endpoint`)
  const sessionId = new URL(first.data, base).searchParams.get('sessionId') ?? ''
  return { response, reader, sessionId, endpoint: first.data, close: () => request.destroy() }
}

/** POSTs one message to the endpoint URI over the socket. */
export async function fetchPost (base: string, endpoint: string, body: unknown): Promise<Response> {
  return fetch(new URL(endpoint, base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000)
  })
}
