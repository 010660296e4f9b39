import type { AccessRule, AuthInfo } from '../../types/index.js'
import { accessRuleOf, collectScopes, listable } from '../access/access-rule.js'
import { ErrorCode, McpError, type Result } from '../protocol/jsonrpc.js'
import type { Completer } from './completion.js'
import type { HandlerContext } from './server-context.js'

/** One argument of a prompt as prompts/list shows it, plus an optional completer. */
export interface PromptArgument {
  name: string
  title?: string
  description?: string
  required?: boolean
  /** Suggests values for completion/complete with ref/prompt. */
  complete?: Completer
}

/** `scopes` and `authorize` (AccessRule): what a token needs to see and get the prompt, with the `auth` option. */
export interface PromptDefinition extends AccessRule {
  title?: string
  description?: string
  arguments?: PromptArgument[]
  icons?: Array<Record<string, unknown>>
  _meta?: Record<string, unknown>
}

/** A message of a prompts/get result; content is text, image, audio, resource_link or an embedded resource. */
export interface PromptMessage {
  role: 'user' | 'assistant'
  content: Record<string, unknown>
}

export interface GetPromptResult {
  description?: string
  messages: PromptMessage[]
  [key: string]: unknown
}

/** Builds the prompt; a string becomes one user text message. */
export type PromptHandler = (args: Record<string, string>, context: HandlerContext) => GetPromptResult | string | Promise<GetPromptResult | string>

interface Prompt {
  listing: Record<string, unknown>
  access: AccessRule | undefined
  required: string[]
  completers: Map<string, Completer>
  handler: PromptHandler
}

function invalid (message: string): McpError {
  return new McpError(ErrorCode.InvalidParams, message)
}

export class PromptRegistry {
  private readonly prompts = new Map<string, Prompt>()
  private readonly changed: () => void
  private completers = 0

  constructor (changed: () => void) {
    this.changed = changed
  }

  get size (): number {
    return this.prompts.size
  }

  /** True when some prompt argument has a completer (the server then declares completions). */
  get completes (): boolean {
    return this.completers > 0
  }

  add (name: string, definition: PromptDefinition, handler: PromptHandler): void {
    if (typeof name !== 'string' || name === '') throw new TypeError('A prompt needs a non-empty name')
    if (this.prompts.has(name)) throw new TypeError(`Prompt ${JSON.stringify(name)} is already registered; remove it first`)
    if (typeof handler !== 'function') throw new TypeError(`Prompt ${JSON.stringify(name)} needs a handler function`)
    const listing: Record<string, unknown> = { name }
    if (definition.title !== undefined) listing.title = definition.title
    if (definition.description !== undefined) listing.description = definition.description
    const required: string[] = []
    const completers = new Map<string, Completer>()
    if (definition.arguments !== undefined) {
      const shown: Array<Record<string, unknown>> = []
      for (const argument of definition.arguments) {
        if (typeof argument?.name !== 'string' || argument.name === '') throw new TypeError(`Prompt ${JSON.stringify(name)}: every argument needs a name`)
        if (shown.some((a) => a.name === argument.name)) {
          throw new TypeError(`Prompt ${JSON.stringify(name)} declares argument ${JSON.stringify(argument.name)} twice`)
        }
        const { complete, ...rest } = argument
        shown.push(rest)
        if (argument.required === true) required.push(argument.name)
        if (complete !== undefined) completers.set(argument.name, complete)
      }
      listing.arguments = shown
    }
    if (definition.icons !== undefined) listing.icons = definition.icons
    if (definition._meta !== undefined) listing._meta = definition._meta
    const access = accessRuleOf(`Prompt ${JSON.stringify(name)}`, definition)
    this.prompts.set(name, { listing, access, required, completers, handler })
    if (completers.size > 0) this.completers++
    this.changed()
  }

  remove (name: string): boolean {
    const prompt = this.prompts.get(name)
    if (prompt === undefined) return false
    this.prompts.delete(name)
    if (prompt.completers.size > 0) this.completers--
    this.changed()
    return true
  }

  /** The prompts, less those the token may not use when `hide` is set. */
  list (auth: AuthInfo | undefined, hide: boolean | undefined): Result {
    const prompts: Array<Record<string, unknown>> = []
    for (const prompt of this.prompts.values()) {
      if (listable(prompt.access, auth, hide)) prompts.push(prompt.listing)
    }
    return { prompts }
  }

  /** The access rule of a prompt; undefined for a prompt without one, or an unknown name. */
  accessRule (name: unknown): AccessRule | undefined {
    return typeof name === 'string' ? this.prompts.get(name)?.access : undefined
  }

  /** Adds every scope some prompt asks for to `into`. */
  collectScopes (into: Set<string>): void {
    for (const prompt of this.prompts.values()) collectScopes(prompt.access, into)
  }

  async get (params: Record<string, unknown>, context: HandlerContext): Promise<Result> {
    const name = params.name
    const prompt = typeof name === 'string' ? this.prompts.get(name) : undefined
    // 2025-11-25 server/prompts §Error Handling: invalid prompt name or missing required arguments → -32602.
    if (prompt === undefined) throw invalid(`Unknown prompt: ${String(name)}`)
    const args = params.arguments ?? {}
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw invalid(`Arguments of prompt ${name} must be an object of strings`)
    for (const [key, value] of Object.entries(args)) {
      if (typeof value !== 'string') throw invalid(`Argument ${key} of prompt ${name} must be a string`)
    }
    const given = args as Record<string, string>
    const missing = prompt.required.filter((argument) => !Object.hasOwn(given, argument))
    if (missing.length > 0) throw invalid(`Missing required argument${missing.length > 1 ? 's' : ''} for prompt ${name}: ${missing.join(', ')}`)
    const result = await prompt.handler(given, context)
    return typeof result === 'string' ? { messages: [{ role: 'user', content: { type: 'text', text: result } }] } : result
  }

  /** The completer of a prompt argument, null when it has none, undefined for an unknown prompt. */
  completer (name: string, argument: string): Completer | null | undefined {
    const prompt = this.prompts.get(name)
    if (prompt === undefined) return undefined
    return prompt.completers.get(argument) ?? null
  }
}
