// The per-task bus seam: how the engine reaches the instance running a task, and the
// listeners of its status, wherever they are. Fire-and-forget: a signal is a wake-up, the
// task store stays the source of truth (a woken runner or listener reads the store), so a
// lost signal delays, it never loses. Memory: an in-process emitter; Redis: pub/sub.
import type { TaskRecord } from './task-store.js'

export type TaskSignal =
  /** tasks/cancel accepted: the runner aborts its handler's signal. */
  | { type: 'cancel' }
  /** tasks/update delivered answers: the runner re-reads inputResponses. */
  | { type: 'input' }
  /** The task changed (status, message, inputs): listeners get the record as it is now. */
  | { type: 'status', task: TaskRecord }

export type TaskSignalListener = (signal: TaskSignal) => void

export interface TaskSignals {
  publish (taskId: string, signal: TaskSignal): Promise<void>
  /** Resolves once the listener is registered, with the function that removes it. */
  subscribe (taskId: string, listener: TaskSignalListener): Promise<() => void>
  /** Drops every listener. */
  close (): Promise<void>
}
