import type { McpRouteConfig } from '../../types/index.js'
import { FST_MCP_INVALID_OPTION } from '../errors.js'
import type { ApiOperation, JsonSchema } from './operation.js'
import { successSchema } from './route-operations.js'
import { inlineRefs } from './schema-refs.js'

// OpenAPI 3.x: the Path Item's operation fields.
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'])
const JSON_MEDIA = /^application\/(?:[\w.+-]+\+)?json$/

interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  description?: string
  schema?: JsonSchema
}

interface MediaTypes {
  content?: Record<string, { schema?: JsonSchema }>
}

/** An operation the document describes but that cannot be a tool, and why. */
export interface UnusableOperation {
  method: string
  path: string
  reason: string
}

export interface OpenApiOperations {
  operations: ApiOperation[]
  unusable: UnusableOperation[]
}

function record (value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : undefined
}

/** The JSON media type's schema, null when the content offers no JSON, undefined without content. */
function jsonContent (holder: MediaTypes | undefined): JsonSchema | null | undefined {
  const content = holder?.content
  if (content === undefined) return undefined
  const media = Object.keys(content).find((type) => JSON_MEDIA.test(type))
  return media === undefined ? null : content[media].schema ?? {}
}

/** Path, query or header parameters as one object schema, as a Fastify route declares them. */
function parameterObject (parameters: Parameter[], location: Parameter['in']): JsonSchema | undefined {
  const chosen = parameters.filter((p) => p.in === location)
  if (chosen.length === 0) return undefined
  const properties: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const parameter of chosen) {
    const name = location === 'header' ? parameter.name.toLowerCase() : parameter.name
    const schema = { ...(parameter.schema ?? { type: 'string' }) }
    if (parameter.description !== undefined && schema.description === undefined) schema.description = parameter.description
    properties[name] = schema
    if (parameter.required === true || location === 'path') required.push(name)
  }
  const schema: JsonSchema = { type: 'object', properties }
  if (required.length > 0) schema.required = required
  return schema
}

/**
 * The operations of an OpenAPI 3.x document (an object: what @fastify/swagger's
 * `app.swagger()` returns, or any API's parsed document), every `$ref` into the document
 * resolved. Operations that cannot be called as JSON tools (a body that is not JSON) are
 * listed with the reason instead. Throws FST_MCP_INVALID_OPTION for what is not an
 * OpenAPI 3.x document, and a TypeError naming the path for a `$ref` to nothing.
 */
export function openApiOperations (document: unknown): OpenApiOperations {
  const root = record(document)
  const paths = record(root?.paths)
  if (root === undefined || typeof root.openapi !== 'string' || !root.openapi.startsWith('3.') || paths === undefined) {
    const shown = root === undefined ? typeof document : `an object with openapi ${JSON.stringify(root.openapi)}`
    throw new FST_MCP_INVALID_OPTION('server.openapi document', shown, 'an OpenAPI 3.x document object (openapi: "3.x", paths)')
  }
  const resolve = <T>(value: unknown): T => inlineRefs(value, root, () => undefined) as T
  const operations: ApiOperation[] = []
  const unusable: UnusableOperation[] = []
  for (const [path, rawItem] of Object.entries(paths)) {
    let item: Record<string, unknown>
    try {
      item = resolve<Record<string, unknown>>(rawItem)
    } catch (err) {
      throw new TypeError(`OpenAPI path ${path}: ${(err as Error).message}`)
    }
    // In the document's order, as routes are in declaration order.
    for (const method of Object.keys(item).filter((key) => METHODS.has(key))) {
      const operation = record(item[method])
      if (operation === undefined) continue
      // §Path Item Object: path-level parameters apply unless the operation redefines
      // the same name and location.
      const byKey = new Map<string, Parameter>()
      for (const parameter of [...(item.parameters as Parameter[] ?? []), ...(operation.parameters as Parameter[] ?? [])]) {
        byKey.set(`${parameter.in}:${parameter.name}`, parameter)
      }
      const parameters = [...byKey.values()]
      const body = jsonContent(operation.requestBody as MediaTypes | undefined)
      if (body === null) {
        unusable.push({ method: method.toUpperCase(), path, reason: 'its request body is not JSON' })
        continue
      }
      const answer = successSchema(operation.responses as Record<string, MediaTypes> | undefined)
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId as string | undefined,
        summary: operation.summary as string | undefined,
        description: operation.description as string | undefined,
        tags: Array.isArray(operation.tags) ? operation.tags as string[] : [],
        params: parameterObject(parameters, 'path'),
        querystring: parameterObject(parameters, 'query'),
        headers: parameterObject(parameters, 'header'),
        body,
        response: jsonContent(answer) ?? undefined,
        mcp: operation['x-mcp'] as boolean | McpRouteConfig | undefined
      })
    }
  }
  return { operations, unusable }
}
