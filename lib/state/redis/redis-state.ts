import { randomBytes } from 'node:crypto'
import { FST_MCP_INVALID_OPTION } from '../../errors.js'
import type { Session } from '../../sessions/session.js'
import type { DeliveryContext, SharedState, StateBackend, StateOpenContext } from '../state.js'
import { RedisBus } from './redis-bus.js'
import type { RedisClient } from './redis-client.js'
import { RedisDelivery } from './redis-delivery.js'
import { RedisEventLog } from './redis-event-log.js'
import { RedisKeys } from './redis-keys.js'
import { sharedSecret } from './redis-scripts.js'
import { RedisSessionStore } from './redis-session-store.js'
import { StateGuard } from './state-guard.js'
import { RedisTaskSignals } from './redis-task-signals.js'
import { RedisTaskStore } from './redis-task-store.js'
import { DEFAULT_TASK_SWEEP_INTERVAL } from '../memory/memory-task-store.js'

export const DEFAULT_KEY_PREFIX = 'mcp:'
export const DEFAULT_MAX_EVENTS_PER_STREAM = 1000
export const DEFAULT_MAX_STREAMS_PER_SESSION = 100
export const DEFAULT_COMMAND_TIMEOUT = 2000

export interface RedisStateOptions {
  /**
   * The connection: an ioredis `Redis` or `Cluster` (ioredis 6), built and owned by the
   * application (TLS, ACL, Sentinel: whatever it needs). The plugin never quits it; it
   * opens one duplicate of it for subscriptions, closed by `app.close()`. Required.
   */
  client: RedisClient
  /** Prefix of every key and channel. Default 'mcp:'. */
  keyPrefix?: string
  /** Events kept per stream for resumption (XADD MAXLEN ~, so approximately). Default 1000. */
  maxEventsPerStream?: number
  /** Stream logs kept per session; the oldest is deleted past it. Default 100. */
  maxStreamsPerSession?: number
  /** Milliseconds a request waits on Redis before it fails closed with 503. Default 2000. */
  commandTimeout?: number
}

function positive (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new FST_MCP_INVALID_OPTION(`redisState.${name}`, JSON.stringify(value), 'an integer >= 1')
  }
  return value
}

/**
 * Shared state on Redis 7+ (or Valkey): N instances on one Redis act as one server, with no
 * session affinity. `app.register(mcpTransport, { server, state: redisState({ client }) })`.
 */
export function redisState (options: RedisStateOptions): StateBackend {
  const client = options?.client
  if (client === null || typeof client !== 'object' || typeof client.evalsha !== 'function' || typeof client.duplicate !== 'function') {
    throw new FST_MCP_INVALID_OPTION('redisState.client', String(client), 'an ioredis Redis or Cluster client')
  }
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX
  if (typeof keyPrefix !== 'string' || keyPrefix.includes('{') || keyPrefix.includes('}')) {
    throw new FST_MCP_INVALID_OPTION('redisState.keyPrefix', JSON.stringify(keyPrefix), 'a string without { or } (hash tags are the plugin\'s)')
  }
  const limits = {
    maxEventsPerStream: positive('maxEventsPerStream', options.maxEventsPerStream, DEFAULT_MAX_EVENTS_PER_STREAM),
    maxStreamsPerSession: positive('maxStreamsPerSession', options.maxStreamsPerSession, DEFAULT_MAX_STREAMS_PER_SESSION)
  }
  const commandTimeout = positive('commandTimeout', options.commandTimeout, DEFAULT_COMMAND_TIMEOUT)
  return {
    kind: 'redis',
    open: (context) => openRedisState(context, client, new RedisKeys(keyPrefix), limits, commandTimeout)
  }
}

function openRedisState (context: StateOpenContext, client: RedisClient, keys: RedisKeys,
  limits: { maxEventsPerStream: number, maxStreamsPerSession: number }, commandTimeout: number): SharedState {
  const { options, log } = context
  // Names this instance in ids it issues (server-to-client requests) and in bus messages.
  const instanceId = randomBytes(6).toString('hex')
  const guard = new StateGuard(commandTimeout, log)
  let delivery: RedisDelivery | null = null
  // Channels are subscribed once the delivery exists (see delivery() below), so every
  // message finds it.
  const bus = new RedisBus(client, (channel) => keys.sessionOfChannel(channel), [keys.listenChannel], {
    session: (sessionId, message) => delivery!.onSessionMessage(sessionId, message),
    global: (_channel, message) => delivery!.onListenMessage(message),
    reconnected: () => delivery!.catchUp()
  }, log)
  const eventLog = new RedisEventLog(client, keys, { ...limits, ttl: options.sessionTimeout })
  const store = new RedisSessionStore(client, keys, bus, guard, options.sessionTimeout, instanceId, log)
  return {
    kind: 'redis',
    // A real ioredis client (not a minimal RedisClient) can hold @fastify/rate-limit's counts.
    redis: typeof (client as { defineCommand?: unknown }).defineCommand === 'function' ? client : undefined,
    sessions: store,
    delivery (deliveryContext: DeliveryContext) {
      delivery = new RedisDelivery(deliveryContext, client, keys, bus, eventLog, store, guard, instanceId, log)
      const built = delivery
      store.bind(deliveryContext.sessions, (session: Session) => built.unrelatedSink(session))
      // No listen stream exists here before the routes serve: nothing is missed meanwhile.
      bus.start().catch((err: unknown) => log.error({ err }, 'MCP Redis state could not subscribe to the listen channel'))
      return built
    },
    tasks: (taskLimits) => ({
      store: new RedisTaskStore(client, guard, { prefix: keys.prefix, ...taskLimits, sweepInterval: DEFAULT_TASK_SWEEP_INTERVAL }),
      signals: new RedisTaskSignals(bus, guard, keys.prefix)
    }),
    async requestStateKeys () {
      // Created once by whichever instance comes first; every other one reads it.
      const key = await guard.run(sharedSecret.run(client, [keys.requestStateKey, randomBytes(32).toString('base64')]) as Promise<string>)
      return [Buffer.from(key, 'base64')]
    },
    close: () => bus.close().then(() => {})
  }
}
