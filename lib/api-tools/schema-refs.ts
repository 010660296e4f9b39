import type { JsonSchema } from './operation.js'

/** Finds a schema by its `$id` (Fastify's addSchema store); undefined when unknown. */
export type SchemaLookup = (id: string) => JsonSchema | undefined

// Keywords an inlined copy must lose: `$id`/`$schema` would clash or be misplaced once the
// copy sits inside a tool's schema (a JSON Schema resource may name itself only once), and
// definitions are unused once every $ref into them is replaced by its target.
const DROPPED = new Set(['$id', '$schema', 'definitions', '$defs'])

type Frame = [document: unknown, pointer: string]

// RFC 6901: '~1' is '/', '~0' is '~'; a URI fragment is percent-encoded too.
function atPointer (document: unknown, pointer: string): unknown {
  let node = document
  for (const raw of pointer.split('/').slice(1)) {
    const token = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~')
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, token)) return undefined
    node = (node as Record<string, unknown>)[token]
  }
  return node
}

/**
 * A copy of `schema` with every `$ref` replaced by what it points to, so a client that
 * never saw the app's shared schemas (addSchema, OpenAPI components) can read the tool's
 * schema. `#/…` points into `document` (the route part, the shared schema being inlined,
 * or the whole OpenAPI document); `id#/…` into the schema `lookup` finds. A recursive
 * reference becomes `{}` (any value): a tool schema cannot be infinite, and the operation
 * validates its own input anyway. Throws a TypeError for a reference to nothing.
 */
export function inlineRefs (schema: unknown, document: unknown, lookup: SchemaLookup): unknown {
  return walk(schema, document, lookup, [])
}

function walk (node: unknown, document: unknown, lookup: SchemaLookup, stack: Frame[]): unknown {
  if (Array.isArray(node)) return node.map((item) => walk(item, document, lookup, stack))
  if (node === null || typeof node !== 'object') return node
  const source = node as JsonSchema
  const copy: JsonSchema = {}
  if (typeof source.$ref === 'string') Object.assign(copy, follow(source.$ref, document, lookup, stack))
  for (const [key, value] of Object.entries(source)) {
    if (key === '$ref' || DROPPED.has(key)) continue
    // Siblings of $ref (a description, a default) annotate the target, and win over it.
    copy[key] = walk(value, document, lookup, stack)
  }
  return copy
}

function follow (ref: string, document: unknown, lookup: SchemaLookup, stack: Frame[]): JsonSchema {
  const hash = ref.indexOf('#')
  const base = hash === -1 ? ref : ref.slice(0, hash)
  const pointer = hash === -1 ? '' : ref.slice(hash + 1)
  const target = base === '' ? document : lookup(base)
  if (target === undefined) throw new TypeError(`$ref ${JSON.stringify(ref)} names no known schema`)
  if (stack.some(([d, p]) => d === target && p === pointer)) return {}
  const resolved = atPointer(target, pointer)
  if (resolved === null || typeof resolved !== 'object') throw new TypeError(`$ref ${JSON.stringify(ref)} points to nothing`)
  return walk(resolved, target, lookup, [...stack, [target, pointer]]) as JsonSchema
}
