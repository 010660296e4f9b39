// Protocol revisions of the session-based ("legacy") era that this transport speaks.
// Newest first: version negotiation answers with the newest when the client's is unknown
// (2025-11-25 lifecycle §Version Negotiation).
export const LEGACY_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const
export const LATEST_LEGACY_VERSION = LEGACY_VERSIONS[0]

// 2025-11-25 transports §Protocol Version Header: without the header and without another
// way to know, the server assumes 2025-03-26.
export const DEFAULT_HEADER_VERSION = '2025-03-26'

const known = new Set<string>(LEGACY_VERSIONS)

export function isSupportedVersion (version: string): boolean {
  return known.has(version)
}

export function negotiateVersion (requested: unknown): string {
  return typeof requested === 'string' && known.has(requested) ? requested : LATEST_LEGACY_VERSION
}

/** True when `version` is `since` or newer (dates compare as strings). */
export function versionAtLeast (version: string, since: string): boolean {
  return version >= since
}

// Batching exists only in 2025-03-26 (removed in 2025-06-18, changelog #1).
export function allowsBatch (version: string): boolean {
  return version === '2025-03-26'
}
