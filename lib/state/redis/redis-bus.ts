import type { FastifyBaseLogger } from 'fastify'
import type { RedisClient, RedisSubscriber } from './redis-client.js'

/** What arrives on the bus, by channel. */
export interface BusHandlers {
  /** A message on one session's channel. */
  session (sessionId: string, message: string): void
  /** A message on a cluster-wide channel. */
  global (channel: string, message: string): void
  /** The subscriber connection came back after a loss: wake-ups may have been missed. */
  reconnected (): void
}

/**
 * Pub/sub between instances: fire-and-forget wake-ups and control messages. One subscriber
 * connection (a duplicate of the user's client) per plugin instance, with one channel per
 * session this instance serves, so a message reaches only the instances that care.
 */
export class RedisBus {
  private readonly client: RedisClient
  private readonly subscriber: RedisSubscriber
  private readonly sessionOf: (channel: string) => string
  private readonly globals: Set<string>
  private readonly handlers: BusHandlers
  /** Handlers of single channels other modules listen to (a task's signals). */
  private readonly routes = new Map<string, (message: string) => void>()
  private ready = false

  constructor (client: RedisClient, sessionOf: (channel: string) => string, globals: string[], handlers: BusHandlers, log: FastifyBaseLogger) {
    this.client = client
    this.sessionOf = sessionOf
    this.globals = new Set(globals)
    this.handlers = handlers
    this.subscriber = client.duplicate()
    this.subscriber.on('message', (channel, message) => this.receive(channel, message))
    // ioredis resubscribes by itself after a reconnect; what was published meanwhile is
    // gone, so every holder re-reads its logs.
    this.subscriber.on('ready', () => {
      if (this.ready) this.handlers.reconnected()
      this.ready = true
    })
    this.subscriber.on('error', (err) => log.warn({ err }, 'MCP Redis subscriber connection error'))
  }

  /** Starts listening on the cluster-wide channels. */
  start (): Promise<unknown> {
    return this.subscriber.subscribe(...this.globals)
  }

  subscribe (channel: string): Promise<unknown> {
    return this.subscriber.subscribe(channel)
  }

  unsubscribe (channel: string): void {
    this.subscriber.unsubscribe(channel).catch(() => {})
  }

  /** Messages on `channel` go to `handler` (subscribe to it separately). */
  route (channel: string, handler: (message: string) => void): void {
    this.routes.set(channel, handler)
  }

  unroute (channel: string): void {
    this.routes.delete(channel)
  }

  publish (channel: string, message: string): Promise<unknown> {
    return this.client.publish(channel, message)
  }

  /** Closes the subscriber connection: no message arrives after it. */
  close (): Promise<unknown> {
    return this.subscriber.quit().catch(() => {})
  }

  private receive (channel: string, message: string): void {
    if (this.globals.has(channel)) {
      this.handlers.global(channel, message)
      return
    }
    const route = this.routes.get(channel)
    if (route !== undefined) route(message)
    else this.handlers.session(this.sessionOf(channel), message)
  }
}
