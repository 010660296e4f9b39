/**
 * The cancellation state of one client request. An AbortController costs several
 * microseconds to create and to listen on, and most requests are never cancelled nor read
 * their signal, so the AbortSignal is made only when a handler asks for it; the transport
 * itself waits on a plain callback.
 */
export class Cancellation {
  aborted = false
  reason: unknown = undefined
  private controller: AbortController | null = null
  private waiter: (() => void) | null = null

  /** The request's AbortSignal, created on first use (already aborted if it was). */
  get signal (): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController()
      if (this.aborted) this.controller.abort(this.reason)
    }
    return this.controller.signal
  }

  abort (reason?: unknown): void {
    if (this.aborted) return
    this.aborted = true
    this.reason = reason
    this.controller?.abort(reason)
    const waiter = this.waiter
    this.waiter = null
    if (waiter !== null) waiter()
  }

  /** Runs `fn` once on abort (one waiter at a time: the dispatcher's); null removes it. */
  onAbort (fn: (() => void) | null): void {
    this.waiter = fn
  }
}
