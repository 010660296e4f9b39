// One GET stream read event by event as it arrives, each event stamped on arrival with the
// monotonic clock (process.hrtime, the same CLOCK_MONOTONIC in every process of the machine),
// for latency figures across processes.
import http, { type IncomingHttpHeaders } from 'node:http'

export interface ArrivedEvent {
  id?: string
  event?: string
  data: string
  /** process.hrtime.bigint() when the event's last byte was read. */
  at: bigint
}

export interface SseListener {
  status: number
  headers: IncomingHttpHeaders
  /** Every event so far, priming events included. */
  readonly events: ArrivedEvent[]
  /** Called for each event as it is parsed. */
  onEvent: ((event: ArrivedEvent) => void) | null
  /** Whether the server ended (or cut) the stream. */
  readonly ended: boolean
  close: () => void
}

function parseBlock (block: string, at: bigint): ArrivedEvent | null {
  const event: ArrivedEvent = { data: '', at }
  let fields = 0
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const name = colon === -1 ? line : line.slice(0, colon)
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
    fields++
    if (name === 'data') event.data = event.data === '' ? value : `${event.data}\n${value}`
    else if (name === 'id') event.id = value
    else if (name === 'event') event.event = value
  }
  return fields === 0 ? null : event
}

/** Opens the stream; resolves once the response head arrived (any status). */
export function listen (url: string, headers: Record<string, string>): Promise<SseListener> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let buffer = ''
      const listener: SseListener = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        onEvent: null,
        ended: false,
        close: () => req.destroy()
      }
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        const at = process.hrtime.bigint()
        buffer += chunk
        let end = buffer.indexOf('\n\n')
        while (end !== -1) {
          const event = parseBlock(buffer.slice(0, end), at)
          buffer = buffer.slice(end + 2)
          if (event !== null) {
            listener.events.push(event)
            listener.onEvent?.(event)
          }
          end = buffer.indexOf('\n\n')
        }
      })
      const ended = (): void => { (listener as { ended: boolean }).ended = true }
      res.on('end', ended)
      res.on('close', ended)
      res.on('error', ended)
      resolve(listener)
    })
    req.on('error', reject)
  })
}
