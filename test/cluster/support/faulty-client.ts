// A real ioredis client with faults on demand: chosen scripts or publishes fail, so the
// paths that must survive a Redis error (logged, retried, or refused with 503) are taken
// for real, against a real server, and nothing else about the client changes.
import { Redis } from 'ioredis'
import type { RedisClient, RedisSubscriber } from '../../../lib/index.js'
import type { Script } from '../../../lib/state/redis/redis-client.js'

export class FaultyClient implements RedisClient {
  readonly real: Redis
  /** Scripts whose next calls fail (each entry one failure). */
  private readonly failing: Script[] = []
  failPublish = 0
  failSubscribe = 0
  /** Scripts whose next call is answered late (ms). */
  private readonly delayed = new Map<Script, number>()
  /** Errors instead of NOSCRIPT for evalsha (a broken server, not a cold cache). */
  brokenEvalsha = false

  constructor (url: string) {
    this.real = new Redis(url, { maxRetriesPerRequest: 1 })
  }

  failNext (script: Script, times = 1): void {
    for (let i = 0; i < times; i++) this.failing.push(script)
  }

  delayNext (script: Script, ms: number): void {
    this.delayed.set(script, ms)
  }

  private async later<T> (id: string, work: () => Promise<T>): Promise<T> {
    for (const [script, ms] of this.delayed) {
      if (script.sha === id || script.source === id) {
        this.delayed.delete(script)
        const result = await work()
        await new Promise((resolve) => setTimeout(resolve, ms))
        return result
      }
    }
    return work()
  }

  private fault (id: string): boolean {
    const index = this.failing.findIndex((s) => s.sha === id || s.source === id)
    if (index === -1) return false
    this.failing.splice(index, 1)
    return true
  }

  evalsha (sha: string, numKeys: number, ...args: Array<string | number>): Promise<unknown> {
    if (this.brokenEvalsha) return Promise.reject(new Error('ERR injected failure'))
    if (this.fault(sha)) return Promise.reject(new Error('ERR injected failure'))
    return this.later(sha, () => this.real.evalsha(sha, numKeys, ...args))
  }

  eval (script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown> {
    if (this.fault(script)) return Promise.reject(new Error('ERR injected failure'))
    return this.later(script, () => this.real.eval(script, numKeys, ...args))
  }

  publish (channel: string, message: string): Promise<unknown> {
    if (this.failPublish > 0) {
      this.failPublish--
      return Promise.reject(new Error('ERR injected failure'))
    }
    return this.real.publish(channel, message)
  }

  duplicate (): RedisSubscriber {
    const subscriber = this.real.duplicate()
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const owner = this
    const subscribe = subscriber.subscribe.bind(subscriber) as (...channels: string[]) => Promise<unknown>
    return Object.assign(subscriber, {
      subscribe (...channels: string[]): Promise<unknown> {
        if (owner.failSubscribe > 0) {
          owner.failSubscribe--
          return Promise.reject(new Error('ERR injected failure'))
        }
        return subscribe(...channels)
      }
    }) as unknown as RedisSubscriber
  }

  disconnect (): void {
    this.real.disconnect()
  }
}
