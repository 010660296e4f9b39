import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api'

/**
 * A plain object as a propagation carrier: a request's `params._meta` (mcp.md §Context
 * propagation, SEP-414: the W3C keys traceparent, tracestate and baggage, unprefixed), or a
 * message carried between instances. Values that are not strings are not trace context.
 */
export type TraceCarrier = Record<string, unknown>

export const carrierGetter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key]
    return typeof value === 'string' ? value : undefined
  }
}

export const carrierSetter: TextMapSetter<TraceCarrier> = {
  set: (carrier, key, value) => { carrier[key] = value }
}

export function isCarrier (value: unknown): value is TraceCarrier {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
