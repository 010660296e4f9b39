import type { AccessRule, AuthInfo } from '../../types/index.js'
import { accessRuleOf, collectScopes, listable } from '../access/access-rule.js'
import { McpError, ErrorCode, type Result } from '../protocol/jsonrpc.js'
import { versionAtLeast } from '../protocol/versions.js'
import type { HandlerContext } from './server-context.js'
import { compileValidator, type Validator } from './schema-validator.js'

/** `scopes` and `authorize` (AccessRule): what a token needs to see and call the tool, with the `auth` option. */
export interface ToolDefinition extends AccessRule {
  title?: string
  description?: string
  /** JSON Schema of the arguments (a TypeBox schema or plain JSON Schema); listed exactly as given. */
  input?: object
  /** JSON Schema of structuredContent, when the tool returns structured output. */
  output?: object
  annotations?: Record<string, unknown>
  icons?: Array<Record<string, unknown>>
  _meta?: Record<string, unknown>
  /**
   * Whether a call may run as a task (io.modelcontextprotocol/tasks 2026-07-28; 2025-11-25
   * tools §execution.taskSupport): 'forbidden' never, 'optional' when the client supports
   * tasks, 'required' always (a client without tasks gets -32021, or -32601 in 2025-11-25).
   * The same handler runs either way. Default 'forbidden'.
   */
  taskSupport?: TaskSupport
  /**
   * When a 2026-07-28 call becomes a task: 'call' (the default) before the handler runs;
   * 'handler' when it calls ctx.startTask(), so what it asks before is an ordinary
   * input_required round (tasks.md §Task Creation: MRTR first, then the task).
   */
  taskStart?: 'call' | 'handler'
}

export type TaskSupport = 'forbidden' | 'optional' | 'required'

export interface CallToolResult {
  content: Array<Record<string, unknown>>
  structuredContent?: Record<string, unknown>
  isError?: boolean
  [key: string]: unknown
}

export type ToolHandler<A = any> = (args: A, context: HandlerContext) => CallToolResult | string | Promise<CallToolResult | string>

interface Tool {
  listing: Record<string, unknown>
  access: AccessRule | undefined
  validate: Validator
  handler: ToolHandler
  taskSupport: TaskSupport
  taskStart: 'call' | 'handler'
}

const TASK_SUPPORT: ReadonlySet<unknown> = new Set(['forbidden', 'optional', 'required'])

// 2025-11-25 server/tools §Tool Names: 1-128 characters of A-Z a-z 0-9 _ - . (and / in
// practice, as the conformance suite allows).
const TOOL_NAME = /^[A-Za-z0-9_./-]{1,128}$/
const EMPTY_OBJECT_SCHEMA = Object.freeze({ type: 'object' })

function toolError (text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true }
}

export class ToolRegistry {
  private readonly tools = new Map<string, Tool>()
  private readonly changed: () => void
  /** Tools that may run as a task: with none, tools/call does no task work at all. */
  taskCapable = 0

  constructor (changed: () => void) {
    this.changed = changed
  }

  get size (): number {
    return this.tools.size
  }

  add (name: string, definition: ToolDefinition, handler: ToolHandler): void {
    if (!TOOL_NAME.test(name)) {
      throw new TypeError(`Tool name ${JSON.stringify(name)} is invalid: use 1-128 characters of A-Z, a-z, 0-9, _, -, . and /`)
    }
    if (this.tools.has(name)) throw new TypeError(`Tool ${JSON.stringify(name)} is already registered; remove it first`)
    if (typeof handler !== 'function') throw new TypeError(`Tool ${JSON.stringify(name)} needs a handler function`)
    const input = definition.input ?? EMPTY_OBJECT_SCHEMA
    const listing: Record<string, unknown> = { name }
    if (definition.title !== undefined) listing.title = definition.title
    listing.description = definition.description ?? ''
    listing.inputSchema = input
    if (definition.output !== undefined) listing.outputSchema = definition.output
    if (definition.annotations !== undefined) listing.annotations = definition.annotations
    if (definition.icons !== undefined) listing.icons = definition.icons
    if (definition._meta !== undefined) listing._meta = definition._meta
    const taskSupport = definition.taskSupport ?? 'forbidden'
    if (!TASK_SUPPORT.has(taskSupport)) {
      throw new TypeError(`Tool ${JSON.stringify(name)}: taskSupport must be 'forbidden', 'optional' or 'required', got ${JSON.stringify(taskSupport)}`)
    }
    const taskStart = definition.taskStart ?? 'call'
    if (taskStart !== 'call' && taskStart !== 'handler') {
      throw new TypeError(`Tool ${JSON.stringify(name)}: taskStart must be 'call' or 'handler', got ${JSON.stringify(taskStart)}`)
    }
    if (taskSupport !== 'forbidden') listing.execution = { taskSupport }
    let validate: Validator
    try {
      validate = compileValidator(input)
    } catch (err) {
      throw new TypeError(`Tool ${JSON.stringify(name)}: the input schema ${(err as Error).message}`)
    }
    const access = accessRuleOf(`Tool ${JSON.stringify(name)}`, definition)
    this.tools.set(name, { listing, access, validate, handler, taskSupport, taskStart })
    if (taskSupport !== 'forbidden') this.taskCapable++
    this.changed()
  }

  has (name: string): boolean {
    return this.tools.has(name)
  }

  remove (name: string): boolean {
    const tool = this.tools.get(name)
    if (tool === undefined) return false
    this.tools.delete(name)
    if (tool.taskSupport !== 'forbidden') this.taskCapable--
    this.changed()
    return true
  }

  /** How a registered tool may run as a task; undefined for an unknown name. */
  taskMode (name: unknown): { support: TaskSupport, start: 'call' | 'handler' } | undefined {
    const tool = typeof name === 'string' ? this.tools.get(name) : undefined
    return tool === undefined ? undefined : { support: tool.taskSupport, start: tool.taskStart }
  }

  /** The input schema of a registered tool, undefined for an unknown name. */
  inputSchema (name: string): Record<string, unknown> | undefined {
    return this.tools.get(name)?.listing.inputSchema as Record<string, unknown> | undefined
  }

  /** The tools, less those the token may not use when `hide` is set. */
  list (auth: AuthInfo | undefined, hide: boolean | undefined): Result {
    const tools: Array<Record<string, unknown>> = []
    for (const tool of this.tools.values()) {
      if (listable(tool.access, auth, hide)) tools.push(tool.listing)
    }
    return { tools }
  }

  /** The access rule of a tool; undefined for a tool without one, or an unknown name. */
  accessRule (name: unknown): AccessRule | undefined {
    return typeof name === 'string' ? this.tools.get(name)?.access : undefined
  }

  /** Adds every scope some tool asks for to `into`. */
  collectScopes (into: Set<string>): void {
    for (const tool of this.tools.values()) collectScopes(tool.access, into)
  }

  /** Not async: a tool that answers synchronously costs no promise on this hot path. */
  call (params: Record<string, unknown>, context: HandlerContext): Result | Promise<Result> {
    const name = params.name
    const tool = typeof name === 'string' ? this.tools.get(name) : undefined
    // 2025-11-25 server/tools §Error Handling: an unknown tool is a protocol error.
    if (tool === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${String(name)}`)
    const args = params.arguments ?? {}
    const problems = tool.validate(args)
    if (problems !== null) {
      const text = `Invalid arguments for tool ${String(name)}: ${problems.join('; ')}`
      // SEP-1303 (2025-11-25): invalid input is a tool execution error so the model can
      // correct itself; earlier revisions answered with -32602.
      if (versionAtLeast(context.protocolVersion, '2025-11-25')) return toolError(text)
      throw new McpError(ErrorCode.InvalidParams, text, { errors: problems })
    }
    let result: CallToolResult | string | Promise<CallToolResult | string>
    try {
      result = tool.handler(args, context)
    } catch (err) {
      return toolFailure(err, String(name), context)
    }
    if (isThenable(result)) return Promise.resolve(result).then(toolResult, (err: unknown) => toolFailure(err, String(name), context))
    return toolResult(result)
  }

}

function isThenable (value: unknown): value is PromiseLike<CallToolResult | string> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

function toolResult (result: CallToolResult | string): Result {
  return typeof result === 'string' ? { content: [{ type: 'text', text: result }] } : result
}

/**
 * A tool that throws reports a tool execution error, which the model can read (2025-11-25
 * server/tools §Error Handling); its message is the tool author's. McpError stays a
 * protocol error.
 */
function toolFailure (err: unknown, name: string, context: HandlerContext): Result {
  if (err instanceof McpError) throw err
  context.logger.debug({ err, tool: name }, 'MCP tool failed')
  return toolError(err instanceof Error ? err.message : String(err))
}
