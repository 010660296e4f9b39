import type { AccessRule } from '../../types/index.js'
import { accessRuleOf, collectScopes, listable } from '../access/access-rule.js'
import { ErrorCode, McpError, type Result } from '../protocol/jsonrpc.js'
import { versionAtLeast } from '../protocol/versions.js'
import type { Completer } from './completion.js'
import type { HandlerContext } from './server-context.js'
import { compileUriTemplate, type TemplateVariables, type UriTemplate } from './uri-template.js'

/**
 * What resources/list and resources/templates/list show about a resource (2025-11-25
 * server/resources); `scopes` and `authorize` (AccessRule) say what a token needs to see
 * and read it, with the `auth` option.
 */
export interface ResourceDefinition extends AccessRule {
  title?: string
  description?: string
  mimeType?: string
  /** Size in bytes, when known. */
  size?: number
  annotations?: Record<string, unknown>
  icons?: Array<Record<string, unknown>>
  _meta?: Record<string, unknown>
}

export interface ResourceTemplateDefinition extends Omit<ResourceDefinition, 'size'> {
  /** Completers for the template's variables, by variable name (completion/complete with ref/resource). */
  complete?: Record<string, Completer>
  /**
   * The concrete resources the template stands for now, shown in resources/list next to the
   * static ones (a template alone is listed only by resources/templates/list). Each needs a
   * `uri` the template matches and a `name`; `mimeType` defaults to the template's.
   */
  list?: (context: HandlerContext) => ListedResource[] | Promise<ListedResource[]>
}

/** One concrete resource a template lists; the template's access rule applies to it. */
export interface ListedResource extends Omit<ResourceDefinition, 'scopes' | 'authorize'> {
  uri: string
  name: string
}

/** One entry of a resources/read result: text or base64 `blob`. */
export interface ResourceContents {
  uri: string
  mimeType?: string
  text?: string
  blob?: string
  _meta?: Record<string, unknown>
  [key: string]: unknown
}

/**
 * What a reader returns: a string (text content), bytes (sent as a base64 blob), or the
 * full `{ contents: [...] }` result for several entries or custom fields.
 */
export type ResourceReadResult = string | Uint8Array | { contents: ResourceContents[], [key: string]: unknown }

export type ResourceReader = (uri: string, context: HandlerContext) => ResourceReadResult | Promise<ResourceReadResult>
export type ResourceTemplateReader = (uri: string, variables: TemplateVariables, context: HandlerContext) => ResourceReadResult | Promise<ResourceReadResult>

interface StaticResource {
  listing: Record<string, unknown>
  access: AccessRule | undefined
  mimeType: string | undefined
  read: ResourceReader
}

interface TemplateResource {
  listing: Record<string, unknown>
  access: AccessRule | undefined
  mimeType: string | undefined
  template: UriTemplate
  complete: Record<string, Completer> | undefined
  list: ResourceTemplateDefinition['list']
  read: ResourceTemplateReader
}

/** A resource a URI resolves to: the static one, or a template with its variables. */
type Resolved = { resource: StaticResource, variables: null } | { resource: TemplateResource, variables: TemplateVariables }

// Code of "resource not found": -32002 through 2025-11-25; the 2026-07-28 revision forbids
// -32002 and uses -32602 (mcp-transport-spec.md item 71-72, conformance sep-2164).
const RESOURCE_NOT_FOUND = -32002

function listing (name: string, key: 'uri' | 'uriTemplate', value: string, definition: ResourceDefinition): Record<string, unknown> {
  if (typeof name !== 'string' || name === '') throw new TypeError(`Resource ${JSON.stringify(value)} needs a name`)
  const out: Record<string, unknown> = { [key]: value, name }
  for (const field of ['title', 'description', 'mimeType', 'size', 'annotations', 'icons', '_meta'] as const) {
    const item = definition[field]
    if (item !== undefined) out[field] = item
  }
  return out
}

function toContents (uri: string, mimeType: string | undefined, result: ResourceReadResult): Result {
  if (typeof result === 'string') {
    return { contents: [mimeType === undefined ? { uri, text: result } : { uri, mimeType, text: result }] }
  }
  if (result instanceof Uint8Array) {
    const blob = Buffer.from(result.buffer, result.byteOffset, result.byteLength).toString('base64')
    return { contents: [mimeType === undefined ? { uri, blob } : { uri, mimeType, blob }] }
  }
  return result
}

export class ResourceRegistry {
  private readonly resources = new Map<string, StaticResource>()
  private readonly templates = new Map<string, TemplateResource>()
  private readonly changed: () => void
  private completers = 0

  constructor (changed: () => void) {
    this.changed = changed
  }

  get size (): number {
    return this.resources.size + this.templates.size
  }

  /** True when some template variable has a completer (the server then declares completions). */
  get completes (): boolean {
    return this.completers > 0
  }

  add (name: string, uri: string, definition: ResourceDefinition, read: ResourceReader): void {
    if (typeof uri !== 'string' || uri === '') throw new TypeError(`Resource ${JSON.stringify(name)} needs a URI`)
    if (this.resources.has(uri)) throw new TypeError(`Resource ${JSON.stringify(uri)} is already registered; remove it first`)
    if (typeof read !== 'function') throw new TypeError(`Resource ${JSON.stringify(uri)} needs a read function`)
    const access = accessRuleOf(`Resource ${JSON.stringify(uri)}`, definition)
    this.resources.set(uri, { listing: listing(name, 'uri', uri, definition), access, mimeType: definition.mimeType, read })
    this.changed()
  }

  addTemplate (name: string, uriTemplate: string, definition: ResourceTemplateDefinition, read: ResourceTemplateReader): void {
    const template = compileUriTemplate(uriTemplate)
    if (this.templates.has(uriTemplate)) throw new TypeError(`Resource template ${JSON.stringify(uriTemplate)} is already registered; remove it first`)
    if (typeof read !== 'function') throw new TypeError(`Resource template ${JSON.stringify(uriTemplate)} needs a read function`)
    const complete = definition.complete
    for (const variable of Object.keys(complete ?? {})) {
      if (!template.variables.includes(variable)) {
        throw new TypeError(`Resource template ${JSON.stringify(uriTemplate)} has no variable {${variable}} to complete`)
      }
    }
    if (definition.list !== undefined && typeof definition.list !== 'function') throw new TypeError(`Resource template ${JSON.stringify(uriTemplate)}: list must be a function`)
    const { complete: _complete, list, ...shown } = definition
    const access = accessRuleOf(`Resource template ${JSON.stringify(uriTemplate)}`, definition)
    this.templates.set(uriTemplate, { listing: listing(name, 'uriTemplate', uriTemplate, shown), access, mimeType: definition.mimeType, template, complete, list, read })
    if (complete !== undefined) this.completers++
    this.changed()
  }

  remove (uri: string): boolean {
    const removed = this.resources.delete(uri)
    if (removed) this.changed()
    return removed
  }

  removeTemplate (uriTemplate: string): boolean {
    const template = this.templates.get(uriTemplate)
    if (template === undefined) return false
    this.templates.delete(uriTemplate)
    if (template.complete !== undefined) this.completers--
    this.changed()
    return true
  }

  /**
   * Static resources, then what each listing template lists; a promise only when some
   * template lists. With `hide`, what the token may not read is left out (a template's
   * entries follow the template's rule, and its list function is not even called).
   */
  list (context: HandlerContext, hide: boolean | undefined): Result | Promise<Result> {
    const auth = context.authInfo
    const resources: Array<Record<string, unknown>> = []
    for (const resource of this.resources.values()) {
      if (listable(resource.access, auth, hide)) resources.push(resource.listing)
    }
    const listing = [...this.templates.values()].filter((template) => template.list !== undefined && listable(template.access, auth, hide))
    if (listing.length === 0) return { resources }
    return Promise.all(listing.map(async (template) => listedBy(template, await template.list!(context)))).then((lists) => {
      for (const list of lists) resources.push(...list)
      return { resources }
    })
  }

  listTemplates (context: HandlerContext, hide: boolean | undefined): Result {
    const resourceTemplates: Array<Record<string, unknown>> = []
    for (const template of this.templates.values()) {
      if (listable(template.access, context.authInfo, hide)) resourceTemplates.push(template.listing)
    }
    return { resourceTemplates }
  }

  /** The access rule of the resource or template `uri` resolves to; undefined without one. */
  accessRule (uri: unknown): AccessRule | undefined {
    return typeof uri === 'string' ? this.resolve(uri)?.resource.access : undefined
  }

  /** Adds every scope some resource or template asks for to `into`. */
  collectScopes (into: Set<string>): void {
    for (const resource of this.resources.values()) collectScopes(resource.access, into)
    for (const template of this.templates.values()) collectScopes(template.access, into)
  }

  /** True when `uri` names a registered resource or matches a template. */
  has (uri: string): boolean {
    return this.resolve(uri) !== null
  }

  async read (params: Record<string, unknown>, context: HandlerContext): Promise<Result> {
    const uri = params.uri
    if (typeof uri !== 'string') throw new McpError(ErrorCode.InvalidParams, 'resources/read needs a uri string')
    const found = this.resolve(uri)
    if (found === null) throw notFound(uri, context.protocolVersion)
    const result = found.variables === null
      ? await found.resource.read(uri, context)
      : await found.resource.read(uri, found.variables, context)
    return toContents(uri, found.resource.mimeType, result)
  }

  /** The completer of a template variable, null when it has none, undefined for an unknown reference. */
  completer (uri: string, variable: string): Completer | null | undefined {
    const template = this.templates.get(uri)
    if (template !== undefined) return template.complete?.[variable] ?? null
    // A static resource has no variables to complete; the reference itself is valid.
    return this.resources.has(uri) ? null : undefined
  }

  private resolve (uri: string): Resolved | null {
    const resource = this.resources.get(uri)
    if (resource !== undefined) return { resource, variables: null }
    for (const template of this.templates.values()) {
      const variables = template.template.match(uri)
      if (variables !== null) return { resource: template, variables }
    }
    return null
  }
}

/** A template's list, checked: an entry its own template would not read is a server bug. */
function listedBy (template: TemplateResource, entries: ListedResource[]): Array<Record<string, unknown>> {
  if (!Array.isArray(entries)) throw new TypeError(`The list of resource template ${template.listing.uriTemplate as string} must return an array`)
  return entries.map((entry) => {
    if (typeof entry?.uri !== 'string' || template.template.match(entry.uri) === null) {
      throw new TypeError(`Resource template ${template.listing.uriTemplate as string} listed ${JSON.stringify(entry?.uri)}, which it does not match`)
    }
    const shown = listing(entry.name, 'uri', entry.uri, entry)
    if (shown.mimeType === undefined && template.mimeType !== undefined) shown.mimeType = template.mimeType
    return shown
  })
}

export function notFound (uri: string, protocolVersion: string): McpError {
  const code = versionAtLeast(protocolVersion, '2026-07-28') ? ErrorCode.InvalidParams : RESOURCE_NOT_FOUND
  return new McpError(code, `Resource not found: ${uri}`, { uri })
}
