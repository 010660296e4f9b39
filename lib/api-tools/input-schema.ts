import { pathParameterNames, type ApiOperation, type JsonSchema } from './operation.js'

export type ArgumentSource = 'path' | 'query' | 'header' | 'body'

/** Where one property of the tool's arguments goes in the HTTP request. */
export interface ArgumentSlot {
  property: string
  source: ArgumentSource
  /** The parameter, header or body property name in the request. */
  name: string
}

export interface ArgumentPlan {
  slots: ArgumentSlot[]
  /** The argument carrying the whole body, when the body is not an object with properties. */
  wholeBody: string | undefined
  /** Whether the operation takes a body at all (a body schema is declared). */
  hasBody: boolean
}

export interface ToolInput {
  schema: JsonSchema
  plan: ArgumentPlan
}

const COMBINATORS = ['oneOf', 'anyOf', 'allOf', 'not', 'if']

/** The properties of a plain object schema, or undefined when the schema is anything else. */
export function objectProperties (schema: JsonSchema | undefined): { properties: Record<string, JsonSchema>, required: string[] } | undefined {
  if (schema === undefined || COMBINATORS.some((keyword) => keyword in schema)) return undefined
  if (schema.type !== 'object' && !(schema.type === undefined && typeof schema.properties === 'object')) return undefined
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
  const required = Array.isArray(schema.required) ? schema.required as string[] : []
  return { properties, required }
}

/**
 * The tool's one input object, built from the operation's parameters in a fixed order:
 * path parameters, then query string, then declared headers, then body properties. The
 * first to claim a name keeps it; a later one with the same name gets its source appended
 * (`id_query`, `id_header`, `id_body`; then `_2`, `_3`… should that be taken too). A body
 * that is not an object with properties (an array, a string, a oneOf) is one argument,
 * `body`. Headers in `fixedHeaders` come from the MCP request (forwardHeaders, the token),
 * never from the model, so they are not arguments.
 */
export function toolInput (operation: ApiOperation, fixedHeaders: ReadonlySet<string>): ToolInput {
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  const slots: ArgumentSlot[] = []

  function claim (name: string, source: ArgumentSource, schema: JsonSchema, isRequired: boolean): string {
    let property = name
    if (Object.hasOwn(properties, property)) {
      property = `${name}_${source}`
      for (let n = 2; Object.hasOwn(properties, property); n++) property = `${name}_${source}_${n}`
    }
    properties[property] = schema
    if (isRequired) required.push(property)
    slots.push({ property, source, name })
    return property
  }

  // A path parameter is always required; without a params schema it is a string.
  const params = objectProperties(operation.params)
  for (const name of pathParameterNames(operation.path)) claim(name, 'path', params?.properties[name] ?? { type: 'string' }, true)
  const query = objectProperties(operation.querystring)
  if (query !== undefined) {
    for (const [name, schema] of Object.entries(query.properties)) claim(name, 'query', schema, query.required.includes(name))
  }
  const headers = objectProperties(operation.headers)
  if (headers !== undefined) {
    const requiredHeaders = headers.required.map((name) => name.toLowerCase())
    for (const [declared, schema] of Object.entries(headers.properties)) {
      // HTTP header names are case-insensitive; Node delivers them in lower case.
      const name = declared.toLowerCase()
      if (!fixedHeaders.has(name)) claim(name, 'header', schema, requiredHeaders.includes(name))
    }
  }
  let wholeBody: string | undefined
  if (operation.body !== undefined) {
    const body = objectProperties(operation.body)
    if (body === undefined) wholeBody = claim('body', 'body', operation.body, true)
    else for (const [name, schema] of Object.entries(body.properties)) claim(name, 'body', schema, body.required.includes(name))
  }
  const schema: JsonSchema = { type: 'object', properties }
  if (required.length > 0) schema.required = required
  return { schema, plan: { slots, wholeBody, hasBody: operation.body !== undefined } }
}
