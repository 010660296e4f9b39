import type { ApiOperation } from './operation.js'

// 2025-11-25 server/tools §Tool Names: 1-128 characters of A-Z a-z 0-9 _ - . (and /, which
// the tool registry also accepts; not produced here, as some clients refuse it).
const MAX_NAME = 128
const INVALID_RUN = /[^A-Za-z0-9_.-]+/g

/** `GET /orders/:id/items` → `get_orders_by_id_items`; `/` → `get_root`. */
function derivedName (operation: ApiOperation): string {
  const parts = [operation.method.toLowerCase()]
  for (const segment of operation.path.split('/')) {
    if (segment === '') continue
    const param = /^:(.+)$|^\{(.+)\}$/.exec(segment)
    parts.push(param === null ? segment : `by_${param[1] ?? param[2]}`)
  }
  if (parts.length === 1) parts.push('root')
  return parts.join('_')
}

/** Replaces what a tool name may not hold with '_' and keeps it within 128 characters. */
export function validToolName (raw: string): string {
  const cleaned = raw.replace(INVALID_RUN, '_').replace(/^_+|_+$/g, '')
  return (cleaned === '' ? 'tool' : cleaned).slice(0, MAX_NAME)
}

/**
 * Names the tools of one source: `config.mcp.name` as given (the registry refuses it
 * when invalid or taken: the author asked for exactly that name), else the operationId,
 * else a name derived from method and URL; those two made valid, and unique with `_2`,
 * `_3`… in the order operations are registered.
 */
export class ToolNamer {
  private readonly taken: (name: string) => boolean

  constructor (taken: (name: string) => boolean) {
    this.taken = taken
  }

  name (operation: ApiOperation, explicit: string | undefined): string {
    if (explicit !== undefined) return explicit
    const base = validToolName(operation.operationId ?? derivedName(operation))
    let name = base
    for (let n = 2; this.taken(name); n++) {
      const suffix = `_${n}`
      name = base.slice(0, MAX_NAME - suffix.length) + suffix
    }
    return name
  }
}
