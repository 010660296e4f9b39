// The requestState of an input_required result (2026-07-28 basic/utilities/mrtr, SEP-2322):
// the server keeps nothing between rounds, so what it learned so far travels with the
// client, and comes back signed. HMAC-SHA256 over the payload; a state that fails the
// check, belongs to another request, or is too old is rejected (conformance
// input-required-result-tampered-state).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/** How long a requestState stays valid unless the server says otherwise: 10 minutes. */
export const DEFAULT_REQUEST_STATE_TTL = 600_000

/** What a requestState carries: the answers collected in earlier rounds, bound to one request. */
export interface RequestStatePayload {
  /** The method and target (tool or prompt name, resource URI) the state belongs to. */
  scope: string
  /** The input responses collected so far, by key. */
  responses: Record<string, unknown>
}

interface Sealed extends RequestStatePayload {
  /** Issued at (ms since the epoch). */
  iat: number
}

export type RequestStateKey = string | Uint8Array

/**
 * Signs request states with the first key and accepts those signed with any of them, so
 * keys rotate without failing rounds in flight: add the new key first, drop the old one
 * once its states have expired.
 */
export class RequestStateSigner {
  private readonly keys: Buffer[]
  private readonly ttl: number

  /** `key`: the HMAC secret(s) (share them between instances behind one URL); default: 32 random bytes. */
  constructor (key: RequestStateKey | readonly RequestStateKey[] = randomBytes(32), ttl = DEFAULT_REQUEST_STATE_TTL) {
    const keys = Array.isArray(key) ? key : [key as RequestStateKey]
    if (keys.length === 0) throw new TypeError('requestStateKey: give at least one key')
    this.keys = keys.map((k) => Buffer.from(k))
    this.ttl = ttl
  }

  seal (payload: RequestStatePayload, now = Date.now()): string {
    const body = Buffer.from(JSON.stringify({ ...payload, iat: now } satisfies Sealed)).toString('base64url')
    return `${body}.${this.mac(this.keys[0], body)}`
  }

  /** The payload of a state this signer issued for `scope`, or null when it is not one. */
  open (state: string, scope: string, now = Date.now()): RequestStatePayload | null {
    const dot = state.indexOf('.')
    if (dot === -1) return null
    const body = state.slice(0, dot)
    const given = Buffer.from(state.slice(dot + 1), 'base64url')
    if (!this.keys.some((key) => {
      const expected = Buffer.from(this.mac(key, body), 'base64url')
      return given.length === expected.length && timingSafeEqual(given, expected)
    })) return null
    const sealed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Sealed
    if (sealed.scope !== scope || now - sealed.iat > this.ttl) return null
    return { scope: sealed.scope, responses: sealed.responses }
  }

  private mac (key: Buffer, body: string): string {
    return createHmac('sha256', key).update(body).digest('base64url')
  }
}
