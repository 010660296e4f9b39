import type { AccessRule, AuthInfo } from '../../types/index.js'

// RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\` (what a challenge's
// scope="…" may carry unescaped, see auth/www-authenticate.ts).
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

/**
 * The access rule of a tool, prompt, resource or template as its definition declares it
 * (`scopes`, `authorize`), checked once at registration; undefined when it declares none,
 * so items without a rule cost nothing when listed or called.
 */
export function accessRuleOf (what: string, definition: AccessRule): AccessRule | undefined {
  const { scopes, authorize } = definition
  if (scopes !== undefined && (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s)))) {
    throw new TypeError(`${what}: scopes must be an array of OAuth scopes (printable ASCII without spaces, quotes or backslashes)`)
  }
  if (authorize !== undefined && typeof authorize !== 'function') throw new TypeError(`${what}: authorize must be a function (authInfo) => boolean`)
  const list = scopes ?? []
  if (list.length === 0 && authorize === undefined) return undefined
  return authorize === undefined ? { scopes: list } : { scopes: list, authorize }
}

/** The scopes `rule` asks for that the token does not grant. */
export function missingScopes (rule: AccessRule, auth: AuthInfo): string[] {
  const scopes = rule.scopes
  if (scopes === undefined) return []
  return scopes.filter((scope) => !auth.scopes.includes(scope))
}

/**
 * Whether a token may use what `rule` guards: every scope granted and the predicate true.
 * Without a token (no `auth` option) there is nothing to check against: rules apply only
 * with `auth`.
 */
export function permits (rule: AccessRule | undefined, auth: AuthInfo | undefined): boolean {
  if (rule === undefined || auth === undefined) return true
  return missingScopes(rule, auth).length === 0 && (rule.authorize === undefined || rule.authorize(auth) === true)
}

/**
 * Whether a list shows an item guarded by `rule` (2025-11-25 server/tools §Listing: what a
 * list holds is the server's choice). Hidden when the host asks for it and the token
 * cannot use the item; shown otherwise, a call then gets the 403 challenge (step-up).
 */
export function listable (rule: AccessRule | undefined, auth: AuthInfo | undefined, hide: boolean | undefined): boolean {
  return hide !== true || permits(rule, auth)
}

/** Adds the scopes of `rule` to `into` (for Protected Resource Metadata's scopes_supported). */
export function collectScopes (rule: AccessRule | undefined, into: Set<string>): void {
  if (rule?.scopes !== undefined) for (const scope of rule.scopes) into.add(scope)
}
