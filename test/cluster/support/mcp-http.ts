// A client that does not care which instance answers: every call names the base URL to
// use, and the session id travels in the headers as a real client sends it.
import { SseReader } from '../../legacy/sse-reader.js'

export const VERSION = '2025-11-25'
const JSON_AND_SSE = 'application/json, text/event-stream'

export function headers (sessionId?: string, extra: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { 'content-type': 'application/json', accept: JSON_AND_SSE, 'mcp-protocol-version': VERSION, ...extra }
  if (sessionId !== undefined) out['mcp-session-id'] = sessionId
  return out
}

/** initialize + notifications/initialized on `url`; the session id. */
export async function openSession (url: string, capabilities: Record<string, unknown> = {}, extra: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: headers(undefined, extra),
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: VERSION, capabilities, clientInfo: { name: 'tap', version: '1.0.0' } } })
  })
  if (res.status !== 200) throw new Error(`initialize failed: ${res.status} ${await res.text()}`)
  await res.text()
  const id = res.headers.get('mcp-session-id')!
  await send(url, id, { jsonrpc: '2.0', method: 'notifications/initialized' }, extra)
  return id
}

export async function send (url: string, sessionId: string, message: unknown, extra: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  const res = await fetch(url, { method: 'POST', headers: headers(sessionId, extra), body: JSON.stringify(message), signal })
  if (res.status === 202) await res.text()
  return res
}

/** A request answered as JSON: its parsed body. */
export async function call (url: string, sessionId: string, id: number, method: string, params: Record<string, unknown> = {}, extra: Record<string, string> = {}): Promise<any> {
  const res = await send(url, sessionId, { jsonrpc: '2.0', id, method, params }, extra)
  const text = await res.text()
  if (res.headers.get('content-type')?.startsWith('text/event-stream') === true) {
    const events = text.split('\n\n').map((b) => b.split('\n').find((l) => l.startsWith('data: '))?.slice(6)).filter((d) => d !== undefined && d !== '')
    return JSON.parse(events[events.length - 1]!)
  }
  return { status: res.status, ...JSON.parse(text) }
}

/** An SSE response (POST answer or GET stream) read event by event. */
export function reader (res: Response): SseReader {
  if (res.body === null) throw new Error(`no body (status ${res.status})`)
  return new SseReader(res.body as unknown as AsyncIterable<Uint8Array>)
}

/** GET on the endpoint: the standalone stream, or a resume with Last-Event-ID. */
export async function getStream (url: string, sessionId: string, lastEventId?: string, extra: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': VERSION, ...extra }
  if (lastEventId !== undefined) h['last-event-id'] = lastEventId
  return fetch(url, { headers: h })
}
