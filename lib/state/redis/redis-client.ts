// The one module that knows how commands reach Redis. Everything the Redis state does is a
// Lua script (atomic per session: all of a session's keys share its hash tag, so they sit
// in one Cluster slot) or pub/sub; another client library fits by providing this surface.
import { createHash } from 'node:crypto'

type Arg = string | number

/** What the Redis state needs of a client: an ioredis `Redis` or `Cluster` has it. */
export interface RedisClient {
  evalsha (sha: string, numKeys: number, ...args: Arg[]): Promise<unknown>
  eval (script: string, numKeys: number, ...args: Arg[]): Promise<unknown>
  publish (channel: string, message: string): Promise<unknown>
  /** A second connection for subscriptions (a connection in subscriber mode runs no commands). */
  duplicate (): RedisSubscriber
}

export interface RedisSubscriber {
  subscribe (...channels: string[]): Promise<unknown>
  unsubscribe (...channels: string[]): Promise<unknown>
  on (event: 'message', listener: (channel: string, message: string) => void): unknown
  on (event: 'ready', listener: () => void): unknown
  on (event: 'error', listener: (err: Error) => void): unknown
  quit (): Promise<unknown>
}

/** A Lua script sent by its SHA1 once the server has seen it (EVALSHA, falling back to EVAL). */
export class Script {
  readonly source: string
  readonly keys: number
  readonly sha: string

  constructor (source: string, keys: number) {
    this.source = source
    this.keys = keys
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  async run (client: RedisClient, args: Arg[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, this.keys, ...args)
    } catch (err) {
      // NOSCRIPT: this server (or a restarted one) has not seen the script yet.
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err
      return client.eval(this.source, this.keys, ...args)
    }
  }
}
