import type { ArgumentPlan } from './input-schema.js'

/** The HTTP request a tool call becomes, before forwarded headers are added. */
export interface RequestParts {
  /** Path and query string: `/orders/42?expand=items`. */
  url: string
  headers: Record<string, string>
  /** The JSON body, undefined when the operation takes none. */
  body: unknown
}

const PATH_PARAMETER = /:([A-Za-z0-9_]+)|\{([^}]+)\}/g

// Query strings and headers carry text: arrays repeat the key (Fastify and OpenAPI's
// default `form, explode` style), objects travel as JSON.
function text (value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/**
 * Splits validated tool arguments back into path, query string, headers and body, as the
 * plan says. Arguments the input schema does not name are dropped.
 */
export function requestParts (path: string, plan: ArgumentPlan, args: Record<string, unknown>): RequestParts {
  const pathValues = new Map<string, string>()
  const query = new URLSearchParams()
  const headers: Record<string, string> = {}
  const fields: Record<string, unknown> = {}
  for (const { property, source, name } of plan.slots) {
    const value = args[property]
    if (value === undefined || value === null) continue
    switch (source) {
      case 'path': pathValues.set(name, encodeURIComponent(text(value))); break
      case 'query':
        for (const item of Array.isArray(value) ? value : [value]) query.append(name, text(item))
        break
      case 'header': headers[name] = Array.isArray(value) ? value.map(text).join(', ') : text(value); break
      case 'body': fields[name] = value
    }
  }
  // The input schema requires every path parameter, so each has a value here.
  const filled = path.replace(PATH_PARAMETER, (_match, colon: string | undefined, brace: string | undefined) => pathValues.get((colon ?? brace)!)!)
  const search = query.toString()
  let body: unknown
  if (plan.wholeBody !== undefined) body = args[plan.wholeBody]
  else if (plan.hasBody) body = fields
  return { url: search === '' ? filled : `${filled}?${search}`, headers, body }
}
