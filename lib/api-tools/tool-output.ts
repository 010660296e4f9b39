import type { JsonSchema } from './operation.js'
import { objectProperties } from './input-schema.js'

/** The tool's outputSchema, and whether the answer is wrapped to fit it. */
export interface ToolOutput {
  schema: JsonSchema
  /**
   * 2025-11-25 server/tools §Structured Content: structuredContent is an object, so an
   * answer of another type (an array, a number) is sent as `{ result: <answer> }`.
   */
  wrapped: boolean
}

/** From the operation's 2xx response schema; undefined without one, or for an empty answer. */
export function toolOutput (response: JsonSchema | undefined): ToolOutput | undefined {
  if (response === undefined || response.type === 'null') return undefined
  if (objectProperties(response) !== undefined) return { schema: response, wrapped: false }
  return { schema: { type: 'object', properties: { result: response }, required: ['result'] }, wrapped: true }
}

/**
 * Tool annotations from the HTTP method's semantics (RFC 9110 §9.2): GET and HEAD are
 * safe, PUT and DELETE idempotent, DELETE destroys. POST and PATCH promise nothing, so they
 * keep MCP's defaults (not read-only, possibly destructive).
 */
export function methodAnnotations (method: string): Record<string, unknown> {
  switch (method) {
    case 'GET':
    case 'HEAD': return { readOnlyHint: true }
    case 'PUT': return { idempotentHint: true }
    case 'DELETE': return { idempotentHint: true, destructiveHint: true }
    default: return {}
  }
}
