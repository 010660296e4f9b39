import type { ApiToolRule } from '../../types/index.js'
import type { ApiOperation } from './operation.js'

/** A rule with its URL pattern compiled once, at registration. */
export interface CompiledRule {
  methods: Set<string> | undefined
  url: RegExp | undefined
  tags: string[] | undefined
}

// '*' is the only wildcard: every other character of a URL pattern is literal.
function globToRegExp (glob: string): RegExp {
  const source = glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')
  return new RegExp(`^${source}$`)
}

export function compileRule (rule: ApiToolRule): CompiledRule {
  return {
    methods: rule.methods === undefined ? undefined : new Set(rule.methods.map((m) => m.toUpperCase())),
    url: rule.url === undefined ? undefined : typeof rule.url === 'string' ? globToRegExp(rule.url) : rule.url,
    tags: rule.tags
  }
}

function matches (rule: CompiledRule, operation: ApiOperation): boolean {
  if (rule.methods !== undefined && !rule.methods.has(operation.method)) return false
  if (rule.url !== undefined) {
    rule.url.lastIndex = 0 // a /g or /y RegExp keeps state between test() calls
    if (!rule.url.test(operation.path)) return false
  }
  return rule.tags === undefined || rule.tags.some((tag) => operation.tags.includes(tag))
}

export interface OperationFilter {
  /** Undefined when every operation is included. */
  include: CompiledRule[] | undefined
  exclude: CompiledRule[]
}

/**
 * Why an operation is not a tool, or null when it is one. The operation's own word
 * (`config.mcp` / `x-mcp`) comes first: true or an object includes it, false excludes it;
 * then `exclude`, then `include` (every operation when unset).
 */
export function exclusionReason (filter: OperationFilter, operation: ApiOperation): string | null {
  if (operation.mcp === false) return 'its config.mcp is false'
  if (operation.mcp !== undefined) return null
  if (filter.exclude.some((rule) => matches(rule, operation))) return 'an exclude rule matches it'
  if (filter.include !== undefined && !filter.include.some((rule) => matches(rule, operation))) return 'no include rule matches it'
  return null
}
