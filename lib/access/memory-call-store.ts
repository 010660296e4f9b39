import { createRequire } from 'node:module'

interface Counted { current: number, ttl: number }
type Callback = (err: Error | null, result: Counted | null) => void

interface LocalStoreLike {
  incr (key: string, callback: Callback, timeWindow: number, max: number): void
}

interface StoreParams { continueExceeding?: boolean, exponentialBackoff?: boolean, cache?: number }

// @fastify/rate-limit's own memory store (CommonJS, not in its typed entry point).
const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore.js') as
  new (continueExceeding: boolean | undefined, exponentialBackoff: boolean | undefined, cache?: number) => LocalStoreLike

/**
 * @fastify/rate-limit's LocalStore, with one fix the per-call limits need: it hands every
 * caller the same mutable record, and createRateLimit reads `current` only after an await,
 * so counts taken in one tick (the calls of a batch) all read the last count and all of
 * them were refused. Each caller gets its own copy here, taken when it was counted.
 */
export class SnapshotLocalStore {
  private readonly store: LocalStoreLike

  constructor (params: StoreParams) {
    this.store = new LocalStore(params.continueExceeding, params.exponentialBackoff, params.cache)
  }

  incr (key: string, callback: Callback, timeWindow: number, max: number): void {
    // LocalStore counts synchronously and never fails: there is no error to pass on.
    this.store.incr(key, (_err, counted) => callback(null, { current: counted!.current, ttl: counted!.ttl }), timeWindow, max)
  }

  child (params: StoreParams): SnapshotLocalStore {
    return new SnapshotLocalStore(params)
  }
}
