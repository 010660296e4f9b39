import { FST_MCP_NOT_ACCEPTABLE } from '../errors.js'

// Does an Accept header allow this media type? Wildcards count, q=0 excludes (RFC 9110
// §12.5.1). An absent header accepts anything.
export function accepts (header: string | undefined, type: string): boolean {
  if (header === undefined || header === '') return true
  const slash = type.indexOf('/')
  const major = type.slice(0, slash)
  for (const part of header.split(',')) {
    const semi = part.indexOf(';')
    const range = (semi === -1 ? part : part.slice(0, semi)).trim().toLowerCase()
    if (range !== type && range !== '*/*' && range !== `${major}/*`) continue
    if (semi !== -1 && /;\s*q=0(\.0*)?\s*(;|$)/.test(part)) continue
    return true
  }
  return false
}

// Clients send the same Accept value on every request: remember the answer per value
// rather than parse it each time. Bounded, since the values come from the network.
const MAX_REMEMBERED = 64
const JSON_OK = 1
const SSE_OK = 2
const remembered = new Map<string, number>()

function acceptedTypes (header: string | undefined): number {
  if (header === undefined) return JSON_OK | SSE_OK
  let answer = remembered.get(header)
  if (answer === undefined) {
    answer = (accepts(header, 'application/json') ? JSON_OK : 0) | (accepts(header, 'text/event-stream') ? SSE_OK : 0)
    if (remembered.size >= MAX_REMEMBERED) remembered.clear()
    remembered.set(header, answer)
  }
  return answer
}

/**
 * 2025-11-25 transports §Sending Messages #2: a client POSTing requests must accept both
 * JSON and SSE, because the server picks. We only insist on the ones the configured mode
 * can produce, so a JSON-only client works with responseMode 'json'.
 */
export function assertPostAccept (header: string | undefined, needJson: boolean, needSse: boolean): void {
  const accepted = acceptedTypes(header)
  if (needJson && (accepted & JSON_OK) === 0) {
    throw new FST_MCP_NOT_ACCEPTABLE(needSse ? 'both application/json and text/event-stream' : 'application/json')
  }
  if (needSse && (accepted & SSE_OK) === 0) {
    throw new FST_MCP_NOT_ACCEPTABLE(needJson ? 'both application/json and text/event-stream' : 'text/event-stream')
  }
}
