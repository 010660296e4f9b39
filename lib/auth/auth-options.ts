import type { AuthOptions } from '../../types/index.js'
import { FST_MCP_INVALID_OPTION } from '../errors.js'
import { SCOPE_TOKEN } from '../access/access-rule.js'
import { comparableResource, metadataPathOf } from './resource-metadata.js'

export const DEFAULT_LIST_UNAUTHORIZED = 'hide'

/** The `auth` option, checked once at registration, with everything the guard needs precomputed. */
export interface ResolvedAuth {
  verifyToken: AuthOptions['verifyToken']
  /** The Protected Resource Metadata as given; serialised once unless it announces declared scopes. */
  metadata: AuthOptions['resourceMetadata']
  metadataJson: string
  /** `resourceMetadata.resource` in the form tokens' audiences are compared in. */
  audience: string
  requiredScopes: string[]
  /** requiredScopes as the challenge's `scope` value; '' when there are none. */
  scope: string
  /** Announced in every challenge's `resource_metadata`. */
  metadataUrl: string
  /** Where the metadata is served: the root well-known path, and the path-suffixed one when it differs. */
  metadataPaths: string[]
  /** True unless listUnauthorized is 'show': lists leave out what a token may not use. */
  hideUnauthorized: boolean
  /** False when the user set scopes_supported: the metadata is then served as given. */
  announceScopes: boolean
}

function invalid (name: string, value: unknown, expected: string): never {
  throw new FST_MCP_INVALID_OPTION(name, JSON.stringify(value), expected)
}

/** An absolute http(s) URL without a fragment (2025-11-25 authorization §Canonical Server URI). */
function httpUrl (name: string, value: unknown): URL {
  let url: URL | undefined
  if (typeof value === 'string' && !value.includes('#')) {
    try {
      url = new URL(value)
    } catch {}
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    invalid(name, value, 'an absolute http(s) URL without a fragment')
  }
  return url
}

/** Checks the `auth` option; null when authorization is off (the option is unset). */
export function resolveAuthOptions (auth: AuthOptions | undefined): ResolvedAuth | null {
  if (auth === undefined) return null
  if (auth === null || typeof auth !== 'object') invalid('auth', auth, 'an object with verifyToken and resourceMetadata')
  if (typeof auth.verifyToken !== 'function') invalid('auth.verifyToken', typeof auth.verifyToken, 'a function (token, request) => AuthInfo')
  const metadata = auth.resourceMetadata
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    invalid('auth.resourceMetadata', metadata, 'an RFC 9728 metadata object with resource and authorization_servers')
  }
  // 2025-11-25 authorization §Authorization Server Location: the resource server MUST
  // implement RFC 9728, whose document MUST name at least one authorization server.
  const resource = httpUrl('auth.resourceMetadata.resource', metadata.resource)
  const servers = metadata.authorization_servers
  if (!Array.isArray(servers) || servers.length === 0) {
    invalid('auth.resourceMetadata.authorization_servers', servers, 'a non-empty array of authorization server issuer URLs')
  }
  servers.forEach((server, i) => httpUrl(`auth.resourceMetadata.authorization_servers[${i}]`, server))
  const requiredScopes = auth.requiredScopes ?? []
  if (!Array.isArray(requiredScopes) || !requiredScopes.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s))) {
    invalid('auth.requiredScopes', requiredScopes, 'an array of OAuth scopes (printable ASCII without spaces, quotes or backslashes)')
  }
  const metadataUrl = auth.resourceMetadataUrl === undefined
    ? `${resource.origin}${metadataPathOf(resource)}`
    : httpUrl('auth.resourceMetadataUrl', auth.resourceMetadataUrl).href
  const listing = auth.listUnauthorized ?? DEFAULT_LIST_UNAUTHORIZED
  if (listing !== 'hide' && listing !== 'show') invalid('auth.listUnauthorized', listing, "'hide' or 'show'")
  const root = metadataPathOf(new URL('/', resource))
  const suffixed = metadataPathOf(resource)
  return {
    verifyToken: auth.verifyToken,
    metadata,
    metadataJson: JSON.stringify(metadata),
    audience: comparableResource(resource.href)!,
    requiredScopes,
    scope: requiredScopes.join(' '),
    metadataUrl,
    metadataPaths: suffixed === root ? [root] : [root, suffixed],
    hideUnauthorized: listing === 'hide',
    announceScopes: metadata.scopes_supported === undefined
  }
}
