// The `WWW-Authenticate: Bearer ...` challenges of the bearer guard (RFC 6750 §3, RFC 9728
// §5.1). Parameter order carries no meaning (RFC 9110 §11.2); we follow the spec's examples.
// Values are quoted without escaping: scopes are RFC 6749 scope-tokens and the metadata URL
// is a serialised URL (both checked at registration), so neither can hold `"` or `\`.

export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope'

/**
 * The challenge of a request that sent no credentials: no error code (RFC 6750 §3: "the
 * resource server SHOULD NOT include an error code"), the metadata URL (2025-11-25
 * authorization §Protected Resource Metadata Discovery Requirements) and the scope a token
 * needs (same section: SHOULD include scope).
 */
export function credentialsChallenge (metadataUrl: string, scope: string): string {
  const challenge = `Bearer resource_metadata="${metadataUrl}"`
  return scope === '' ? challenge : `${challenge}, scope="${scope}"`
}

/**
 * The challenge of a refused token or authorization request, e.g.
 * `Bearer error="insufficient_scope", scope="files:read", resource_metadata="…", error_description="…"`
 * (2025-11-25 authorization §Runtime Insufficient Scope Errors).
 */
export function errorChallenge (error: BearerError, description: string, metadataUrl: string, scope: string): string {
  const scoped = scope === '' ? '' : `, scope="${scope}"`
  return `Bearer error="${error}"${scoped}, resource_metadata="${metadataUrl}", error_description="${description}"`
}
