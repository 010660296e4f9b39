import type { AccessRule, AuthInfo, JsonRpcRequest, Result } from '../../types/index.js'
import { accessRuleOf, collectScopes, listable } from '../access/access-rule.js'
import { compileUriTemplate, type UriTemplate } from '../server/uri-template.js'

/**
 * Access rules for the tools, prompts and resources of SDK servers behind fromSdkServer,
 * which have no place for them in their own definitions: by tool name, prompt name,
 * resource URI and resource URI template (a URI a template matches follows its rule).
 */
export interface SdkAccessRules {
  tools?: Record<string, AccessRule>
  prompts?: Record<string, AccessRule>
  resources?: Record<string, AccessRule>
  resourceTemplates?: Record<string, AccessRule>
}

type Rules = Map<string, AccessRule>

function compile (what: string, given: Record<string, AccessRule> | undefined): Rules {
  const rules: Rules = new Map()
  if (given === undefined) return rules
  if (given === null || typeof given !== 'object') throw new TypeError(`fromSdkServer: access.${what} must be an object of access rules`)
  for (const [name, definition] of Object.entries(given)) {
    const rule = accessRuleOf(`fromSdkServer access.${what}[${JSON.stringify(name)}]`, definition ?? {})
    if (rule !== undefined) rules.set(name, rule)
  }
  return rules
}

// The list methods and, for each, the key of its items and the field that names an item.
const LISTS: Readonly<Record<string, [key: string, field: string]>> = {
  'tools/list': ['tools', 'name'],
  'prompts/list': ['prompts', 'name'],
  'resources/list': ['resources', 'uri'],
  'resources/templates/list': ['resourceTemplates', 'uriTemplate']
}

/** The rules of fromSdkServer's `access` option, compiled once. */
export class SdkAccessTable {
  private readonly tools: Rules
  private readonly prompts: Rules
  private readonly resources: Rules
  private readonly templates: Rules
  private readonly matchers: Array<[UriTemplate, AccessRule]> = []

  constructor (rules: SdkAccessRules) {
    if (rules === null || typeof rules !== 'object') throw new TypeError('fromSdkServer: access must be an object with tools, prompts, resources or resourceTemplates')
    this.tools = compile('tools', rules.tools)
    this.prompts = compile('prompts', rules.prompts)
    this.resources = compile('resources', rules.resources)
    this.templates = compile('resourceTemplates', rules.resourceTemplates)
    for (const [template, rule] of this.templates) this.matchers.push([compileUriTemplate(template), rule])
  }

  ruleOf (request: JsonRpcRequest): AccessRule | undefined {
    const params = request.params
    switch (request.method) {
      case 'tools/call': return this.named(this.tools, params?.name)
      case 'prompts/get': return this.named(this.prompts, params?.name)
      case 'resources/read':
      case 'resources/subscribe': return this.resource(params?.uri)
      default: return undefined
    }
  }

  /** A list result without the items the token may not use (the SDK listed them all). */
  filter (method: string, result: Result, auth: AuthInfo): Result {
    const list = LISTS[method]
    if (list === undefined) return result
    const [key, field] = list
    const items = result[key]
    if (!Array.isArray(items)) return result
    const rules = method === 'tools/list' ? this.tools : method === 'prompts/list' ? this.prompts : method === 'resources/list' ? null : this.templates
    const kept = items.filter((item: Record<string, unknown>) => {
      const rule = rules === null ? this.resource(item[field]) : this.named(rules, item[field])
      return listable(rule, auth, true)
    })
    return kept.length === items.length ? result : { ...result, [key]: kept }
  }

  scopes (): string[] {
    const scopes = new Set<string>()
    for (const rules of [this.tools, this.prompts, this.resources, this.templates]) {
      for (const rule of rules.values()) collectScopes(rule, scopes)
    }
    return [...scopes]
  }

  private named (rules: Rules, name: unknown): AccessRule | undefined {
    return typeof name === 'string' ? rules.get(name) : undefined
  }

  private resource (uri: unknown): AccessRule | undefined {
    if (typeof uri !== 'string') return undefined
    const exact = this.resources.get(uri)
    if (exact !== undefined) return exact
    for (const [template, rule] of this.matchers) {
      if (template.match(uri) !== null) return rule
    }
    return undefined
  }
}
