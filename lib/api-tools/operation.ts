import type { McpRouteConfig } from '../../types/index.js'

/** A JSON Schema as this folder handles it: a plain object, read but never changed. */
export type JsonSchema = Record<string, unknown>

/**
 * One HTTP operation, whether it came from a Fastify route or an OpenAPI document: the
 * one shape the naming, schema merging and filtering work on, so both sources map alike.
 * Schemas here are already free of `$ref`s.
 */
export interface ApiOperation {
  /** Upper case: 'GET', 'POST'. */
  method: string
  /** As declared: `/orders/:id` (Fastify) or `/orders/{id}` (OpenAPI). */
  path: string
  operationId: string | undefined
  summary: string | undefined
  description: string | undefined
  tags: string[]
  /** Object schemas of the path parameters, query string and request headers. */
  params: JsonSchema | undefined
  querystring: JsonSchema | undefined
  headers: JsonSchema | undefined
  /** The JSON request body's schema, any type. */
  body: JsonSchema | undefined
  /** The schema of the first 2xx answer, when it declares one. */
  response: JsonSchema | undefined
  /** `config.mcp` (routes) or `x-mcp` (OpenAPI): undefined when unset. */
  mcp: boolean | McpRouteConfig | undefined
}

/** How a log line and an error name the operation. */
export function describeOperation (operation: ApiOperation): string {
  return `${operation.method} ${operation.path}`
}

/** The path parameter names in a path template, in order (`:id` and `{id}` alike). */
export function pathParameterNames (path: string): string[] {
  const names: string[] = []
  for (const match of path.matchAll(/:([A-Za-z0-9_]+)|\{([^}]+)\}/g)) names.push(match[1] ?? match[2])
  return names
}
