// What the built-in server adds to its answers in the modern era (2026-07-28): its
// identity in every result's `_meta` (B-0728 §`_meta`), and caching hints on list and
// read results (SEP-2549, CL-0728 minor #5).
import type { Result } from '../../types/index.js'
import { META_SERVER_INFO } from '../modern/era.js'

export type CacheScope = 'public' | 'private'

export interface CacheHints {
  /** Milliseconds a client may reuse a list/read result. Default 0 (revalidate every time). */
  ttlMs?: number
  /** Who may share a cached result: 'public' or 'private' (one user). Default 'private'. */
  cacheScope?: CacheScope
}

export const DEFAULT_TTL_MS = 0
export const DEFAULT_CACHE_SCOPE: CacheScope = 'private'

// The results SEP-2549 makes cacheable.
export const CACHEABLE_METHODS: ReadonlySet<string> = new Set([
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'server/discover'
])

/** Adds serverInfo (and, for cacheable methods, caching hints the handler did not set) to a modern result. */
export function modernResult (method: string, result: Result, serverInfo: Result, hints: Required<CacheHints>): Result {
  const out: Result = { ...result, _meta: { ...(result._meta as Result | undefined), [META_SERVER_INFO]: serverInfo } }
  if (CACHEABLE_METHODS.has(method)) {
    if (out.ttlMs === undefined) out.ttlMs = hints.ttlMs
    if (out.cacheScope === undefined) out.cacheScope = hints.cacheScope
  }
  return out
}
