import type { SharedState, StateBackend } from '../state.js'
import { LocalDelivery } from './local-delivery.js'
import { localSessions } from './memory-session-store.js'

const memory: SharedState = {
  kind: 'memory',
  sessions: localSessions,
  delivery: (context) => new LocalDelivery(context),
  close: () => Promise.resolve()
}

/**
 * The embedded default: sessions, event logs and delivery in this process, with today's
 * speed. One instance is the whole server.
 */
export function memoryState (): StateBackend {
  return { kind: 'memory', open: () => memory }
}
