// Resource templates (2025-11-25 server/resources §Resource Templates) are RFC 6570 URI
// templates. We support the two expressions resource servers use: `{name}` (simple string
// expansion: one path segment, percent-decoded) and `{+name}` (reserved expansion: the
// rest of the URI, slashes included). Any other operator is refused at registration
// rather than silently never matching.

const EXPRESSION = /\{([^{}]*)\}/g
const VARIABLE = /^(\+?)([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)$/

export type TemplateVariables = Record<string, string>

export interface UriTemplate {
  readonly template: string
  readonly variables: readonly string[]
  /** The variables of `uri`, or null when it does not match the template. */
  match (uri: string): TemplateVariables | null
}

function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export function compileUriTemplate (template: string): UriTemplate {
  if (typeof template !== 'string' || template === '') {
    throw new TypeError('A resource template needs a URI template string such as "file:///{path}"')
  }
  const variables: string[] = []
  const reserved: boolean[] = []
  let pattern = '^'
  let last = 0
  const literal = (text: string): string => {
    if (text.includes('{') || text.includes('}')) throw new TypeError(`URI template ${JSON.stringify(template)} has an unbalanced brace`)
    return escapeRegExp(text)
  }
  for (const found of template.matchAll(EXPRESSION)) {
    const parsed = VARIABLE.exec(found[1])
    if (parsed === null) {
      throw new TypeError(`URI template ${JSON.stringify(template)}: expression {${found[1]}} is not supported; use {name} or {+name}`)
    }
    const name = parsed[2]
    if (variables.includes(name)) throw new TypeError(`URI template ${JSON.stringify(template)} uses {${name}} twice`)
    variables.push(name)
    reserved.push(parsed[1] === '+')
    // A simple expansion percent-encodes reserved characters, so it never spans '/', '?' or '#'.
    pattern += literal(template.slice(last, found.index)) + (parsed[1] === '+' ? '(.+)' : '([^/?#]+)')
    last = found.index + found[0].length
  }
  const regexp = new RegExp(pattern + literal(template.slice(last)) + '$')

  return {
    template,
    variables,
    match (uri) {
      const found = regexp.exec(uri)
      if (found === null) return null
      const values: TemplateVariables = {}
      for (let i = 0; i < variables.length; i++) {
        try {
          values[variables[i]] = reserved[i] ? decodeURI(found[i + 1]) : decodeURIComponent(found[i + 1])
        } catch {
          return null // malformed percent-encoding cannot come from expanding this template
        }
      }
      return values
    }
  }
}
