// Key and channel names. Every key of a session carries the session id as a hash tag
// (`{id}`), so one Lua script can touch all of them and a Cluster keeps them in one slot.

export class RedisKeys {
  readonly prefix: string
  /** Sessions that have a standalone stream, for broadcasts (not per session: no tag). */
  readonly standaloneSet: string
  /** The 2026-07-28 requestState signing key shared by every instance. */
  readonly requestStateKey: string
  /** Cluster-wide fan-out to subscriptions/listen streams. */
  readonly listenChannel: string

  constructor (prefix: string) {
    this.prefix = prefix
    this.standaloneSet = `${prefix}standalone`
    this.requestStateKey = `${prefix}request-state-key`
    this.listenChannel = `${prefix}listen`
  }

  /** The session record (a hash). */
  record (sessionId: string): string {
    return `${this.prefix}{${sessionId}}:session`
  }

  /** The resource URIs the session subscribed to (a set). */
  subscriptions (sessionId: string): string {
    return `${this.prefix}{${sessionId}}:subscriptions`
  }

  /** The session's streams, oldest first (a sorted set scored by creation time). */
  streams (sessionId: string): string {
    return `${this.prefix}{${sessionId}}:streams`
  }

  /** Prefix of the session's event logs (Redis Streams), followed by the stream id. */
  logPrefix (sessionId: string): string {
    return `${this.prefix}{${sessionId}}:log:`
  }

  /** The pub/sub channel of one session: wake-ups and control messages. */
  channel (sessionId: string): string {
    return `${this.prefix}{${sessionId}}:bus`
  }

  /** The session id of a session channel (one `channel(id)` made). */
  sessionOfChannel (channel: string): string {
    return channel.slice(this.prefix.length + 1, channel.lastIndexOf('}'))
  }
}
