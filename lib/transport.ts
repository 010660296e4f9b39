import type { ResolvedOptions } from './options.js'
import { Dispatcher } from './protocol/dispatcher.js'
import { SessionRegistry } from './sessions/session-registry.js'
import { StreamHub } from './streams/stream-hub.js'

/** The state one registration of the plugin shares between its routes. */
export class Transport {
  readonly options: ResolvedOptions
  readonly hub: StreamHub
  readonly sessions: SessionRegistry
  readonly dispatcher: Dispatcher
  readonly startedAt = Date.now()
  closing = false

  constructor (options: ResolvedOptions) {
    this.options = options
    this.hub = new StreamHub(options.heartbeatInterval, options.maxStreamQueueBytes)
    const server = options.server
    this.sessions = new SessionRegistry({
      maxSessions: options.maxSessions,
      sessionTimeout: options.sessionTimeout,
      onClose: (session) => server.sessionClosed?.(session)
    })
    this.dispatcher = new Dispatcher({ server, requestTimeout: options.requestTimeout })
    server.attach?.({
      notify: (id, notification) => this.sessions.notify(id, notification),
      broadcast: (notification) => this.sessions.broadcast(notification)
    })
  }

  close (): void {
    this.closing = true
    // Streams first, so each one's socket is closed with it (see SseStream.closeConnection).
    this.hub.closeAll()
    this.sessions.closeAll()
  }
}
