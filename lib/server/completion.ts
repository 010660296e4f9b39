import { ErrorCode, McpError, type Result } from '../protocol/jsonrpc.js'
import type { HandlerContext } from './server-context.js'

/**
 * Suggests values for one prompt argument or resource template variable.
 * `value` is what the user typed so far; `args` holds the arguments already resolved
 * (2025-11-25 server/utilities/completion §Context).
 */
export type Completer = (value: string, args: Record<string, string>, context: HandlerContext) => string[] | Promise<string[]>

/** Where completion/complete finds the completer of a prompt argument or template variable. */
export interface CompletionSource {
  /** The completer for `argument` of the referenced prompt or template, null when it has none, undefined when the reference is unknown. */
  prompt (name: string, argument: string): Completer | null | undefined
  resource (uri: string, argument: string): Completer | null | undefined
}

// 2025-11-25 server/utilities/completion §Completion Results: at most 100 values per response.
const MAX_VALUES = 100

function stringRecord (value: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (value === null || typeof value !== 'object') return out
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') out[key] = item
  }
  return out
}

function invalid (message: string): McpError {
  return new McpError(ErrorCode.InvalidParams, message)
}

/** Answers completion/complete from the registered completers. */
export async function complete (source: CompletionSource, params: Record<string, unknown>, context: HandlerContext): Promise<Result> {
  const ref = params.ref as Record<string, unknown> | undefined
  const argument = params.argument as Record<string, unknown> | undefined
  if (ref === null || typeof ref !== 'object') throw invalid('completion/complete needs a ref: { type: "ref/prompt", name } or { type: "ref/resource", uri }')
  if (argument === null || typeof argument !== 'object' || typeof argument.name !== 'string' || typeof argument.value !== 'string') {
    throw invalid('completion/complete needs argument: { name, value } with string name and value')
  }
  let completer: Completer | null | undefined
  if (ref.type === 'ref/prompt' && typeof ref.name === 'string') {
    completer = source.prompt(ref.name, argument.name)
    if (completer === undefined) throw invalid(`Unknown prompt: ${ref.name}`)
  } else if (ref.type === 'ref/resource' && typeof ref.uri === 'string') {
    completer = source.resource(ref.uri, argument.name)
    if (completer === undefined) throw invalid(`Unknown resource template: ${ref.uri}`)
  } else {
    throw invalid(`Unsupported completion reference: ${JSON.stringify(ref)}`)
  }
  if (completer === null) return { completion: { values: [] } }
  const resolved = params.context as Record<string, unknown> | undefined
  const values = await completer(argument.value, stringRecord(resolved?.arguments), context)
  return {
    completion: {
      values: values.slice(0, MAX_VALUES),
      total: values.length,
      hasMore: values.length > MAX_VALUES
    }
  }
}
