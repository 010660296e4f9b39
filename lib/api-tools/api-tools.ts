import type { HandlerContext } from '../server/server-context.js'
import type { CallToolResult, ToolDefinition, ToolHandler } from '../server/tool-registry.js'
import { describeOperation, type ApiOperation } from './operation.js'
import { exclusionReason, type OperationFilter } from './operation-filter.js'
import { toolInput } from './input-schema.js'
import { requestParts, type RequestParts } from './request-parts.js'
import { methodAnnotations, toolOutput, type ToolOutput } from './tool-output.js'
import { ToolNamer } from './tool-naming.js'

/** Where the tools go: the built-in server's tool registry. */
export interface ToolSink {
  add (name: string, definition: ToolDefinition, handler: ToolHandler): void
  has (name: string): boolean
}

/** Runs one call of an operation: over app.inject, or over HTTP. */
export type OperationCaller = (operation: ApiOperation, parts: RequestParts, output: ToolOutput | undefined, context: HandlerContext) => Promise<CallToolResult>

/**
 * Hears why an operation did not become a tool: 'debug' when the rules left it out, 'info'
 * when it has no schema, 'warn' when its own config asked for a tool that cannot be made.
 */
export type SkipReporter = (operation: ApiOperation, reason: string, level: 'debug' | 'info' | 'warn') => void

export interface OperationTools {
  sink: ToolSink
  filter: OperationFilter
  /** Headers the MCP request supplies (forwardHeaders, the token): never arguments. */
  fixedHeaders: ReadonlySet<string>
  call: OperationCaller
  skipped: SkipReporter
}

function hasSchema (operation: ApiOperation): boolean {
  return operation.params !== undefined || operation.querystring !== undefined || operation.headers !== undefined ||
    operation.body !== undefined || operation.response !== undefined
}

function description (operation: ApiOperation): string | undefined {
  const text = [operation.summary, operation.description].filter((part) => part !== undefined && part !== '').join('\n\n')
  return text === '' ? undefined : text
}

/**
 * Turns operations into tools: filter, name, one input schema, the output schema and the
 * annotations; each call splits its arguments back into an HTTP request for `call`. Throws
 * when the registry refuses a tool (a config.mcp.name that is invalid or taken, a schema
 * that does not compile), naming the operation: a startup error, not a silent gap.
 */
export function addOperationTools (tools: OperationTools, operations: Iterable<ApiOperation>): void {
  const namer = new ToolNamer((name) => tools.sink.has(name))
  for (const operation of operations) {
    const excluded = exclusionReason(tools.filter, operation)
    const marked = operation.mcp !== undefined && operation.mcp !== false
    if (excluded !== null) {
      tools.skipped(operation, excluded, 'debug')
      continue
    }
    if (!hasSchema(operation)) {
      tools.skipped(operation, 'it has no schema (params, querystring, headers, body or response) to describe it', marked ? 'warn' : 'info')
      continue
    }
    const config = typeof operation.mcp === 'object' ? operation.mcp : {}
    const input = toolInput(operation, tools.fixedHeaders)
    const output = toolOutput(operation.response)
    const definition: ToolDefinition = {
      description: config.description ?? description(operation),
      input: input.schema,
      annotations: { ...methodAnnotations(operation.method), ...config.annotations }
    }
    if (config.title !== undefined) definition.title = config.title
    if (output !== undefined) definition.output = output.schema
    const { call } = tools
    const handler: ToolHandler<Record<string, unknown>> = (args, context) =>
      call(operation, requestParts(operation.path, input.plan, args), output, context)
    try {
      tools.sink.add(namer.name(operation, config.name), definition, handler)
    } catch (err) {
      throw new TypeError(`${describeOperation(operation)} cannot be a tool: ${(err as Error).message}`)
    }
  }
}
