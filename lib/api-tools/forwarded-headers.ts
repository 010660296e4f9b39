import type { RequestContext } from '../../types/index.js'

/**
 * The headers of the MCP request that `names` lets through (lower case), and with
 * `token` the verified access token as `Authorization: Bearer`. Nothing else of the MCP
 * request reaches the operation: not its cookies, not its Mcp-* headers, not its token
 * unless asked (2025-11-25 authorization §Token Passthrough).
 */
export function forwardedHeaders (names: readonly string[], context: RequestContext, token: boolean): Record<string, string> {
  const forwarded: Record<string, string> = {}
  const incoming = context.httpHeaders
  if (incoming !== undefined) {
    for (const name of names) {
      const value = incoming[name]
      if (value !== undefined) forwarded[name] = Array.isArray(value) ? value.join(', ') : value
    }
  }
  const authInfo = context.authInfo
  if (token && authInfo !== undefined) forwarded.authorization = `Bearer ${authInfo.token}`
  return forwarded
}
