import type { RouteOptions } from 'fastify'
import type { McpRouteConfig } from '../../types/index.js'
import type { ApiOperation, JsonSchema } from './operation.js'
import { inlineRefs, type SchemaLookup } from './schema-refs.js'

// Fastify 5 route schemas: params, querystring (or its alias query), headers, body, response.
interface RouteSchema {
  params?: JsonSchema
  querystring?: JsonSchema
  query?: JsonSchema
  headers?: JsonSchema
  body?: JsonSchema
  response?: Record<string, JsonSchema>
  tags?: string[]
  summary?: string
  description?: string
  operationId?: string
}

const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$/

/** `{ content: { 'application/json': { schema } } }` (a body or answer per media type), else the schema itself. */
function jsonSchemaOf (schema: JsonSchema | undefined): JsonSchema | undefined {
  const content = schema?.content as Record<string, { schema?: JsonSchema }> | undefined
  if (content === undefined) return schema
  const media = Object.keys(content).find((type) => JSON_MEDIA.test(type))
  return media === undefined ? undefined : content[media].schema
}

/**
 * The schema of the first 2xx answer: the lowest explicit 2xx code, else '2xx' (Fastify
 * and OpenAPI both allow the range; OpenAPI spells it '2XX').
 */
export function successSchema<T> (responses: Record<string, T> | undefined): T | undefined {
  if (responses === undefined || responses === null) return undefined
  const codes = Object.keys(responses).filter((code) => /^2\d\d$/.test(code)).sort()
  const code = codes[0] ?? Object.keys(responses).find((key) => key.toLowerCase() === '2xx')
  return code === undefined ? undefined : responses[code]
}

/** One operation per method of a route, its schemas with shared-schema `$ref`s inlined. */
export function routeOperations (route: RouteOptions, lookup: SchemaLookup): ApiOperation[] {
  const schema = (route.schema ?? {}) as RouteSchema
  const resolve = (part: JsonSchema | undefined): JsonSchema | undefined =>
    part === undefined ? undefined : inlineRefs(part, part, lookup) as JsonSchema
  const response = successSchema(schema.response)
  const shared = {
    path: route.url,
    operationId: schema.operationId,
    summary: schema.summary,
    description: schema.description,
    tags: Array.isArray(schema.tags) ? schema.tags : [],
    params: resolve(schema.params),
    querystring: resolve(schema.querystring ?? schema.query),
    headers: resolve(schema.headers),
    body: resolve(jsonSchemaOf(schema.body)),
    response: resolve(jsonSchemaOf(response)),
    mcp: (route.config as { mcp?: boolean | McpRouteConfig } | undefined)?.mcp
  }
  const methods = Array.isArray(route.method) ? route.method : [route.method]
  return methods.map((method) => ({ ...shared, method: method.toUpperCase() }))
}
