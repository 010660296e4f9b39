import type { SharedState, StateBackend } from '../state.js'
import { LocalDelivery } from './local-delivery.js'
import { MemoryTaskSignals } from './memory-task-signals.js'
import { MemoryTaskStore } from './memory-task-store.js'

const memory: SharedState = {
  kind: 'memory',
  sessions: null,
  delivery: (context) => new LocalDelivery(context),
  tasks: (limits) => ({ store: new MemoryTaskStore(limits), signals: new MemoryTaskSignals() }),
  close: () => Promise.resolve()
}

/**
 * The embedded default: sessions, event logs and delivery in this process, with today's
 * speed. One instance is the whole server.
 */
export function memoryState (): StateBackend {
  return { kind: 'memory', open: () => memory }
}
