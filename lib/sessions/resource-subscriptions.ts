/**
 * Which session watches which resource URI (2025-11-25 server/resources §Subscriptions).
 * Indexed both ways: an update finds its subscribers without scanning every session, and a
 * closing session drops all of its subscriptions at once.
 */
export class ResourceSubscriptions {
  private readonly bySession = new Map<string, Set<string>>()
  private readonly byUri = new Map<string, Set<string>>()

  /** Sessions with at least one subscription. */
  get sessions (): number {
    return this.bySession.size
  }

  subscribe (sessionId: string, uri: string): void {
    let uris = this.bySession.get(sessionId)
    if (uris === undefined) this.bySession.set(sessionId, uris = new Set())
    uris.add(uri)
    let sessions = this.byUri.get(uri)
    if (sessions === undefined) this.byUri.set(uri, sessions = new Set())
    sessions.add(sessionId)
  }

  /** Idempotent: unsubscribing from something never subscribed is not an error. */
  unsubscribe (sessionId: string, uri: string): void {
    const uris = this.bySession.get(sessionId)
    if (uris === undefined || !uris.delete(uri)) return
    if (uris.size === 0) this.bySession.delete(sessionId)
    this.forget(uri, sessionId)
  }

  subscribers (uri: string): Iterable<string> {
    return this.byUri.get(uri) ?? []
  }

  dropSession (sessionId: string): void {
    const uris = this.bySession.get(sessionId)
    if (uris === undefined) return
    this.bySession.delete(sessionId)
    for (const uri of uris) this.forget(uri, sessionId)
  }

  private forget (uri: string, sessionId: string): void {
    const sessions = this.byUri.get(uri)!
    sessions.delete(sessionId)
    if (sessions.size === 0) this.byUri.delete(uri)
  }
}
