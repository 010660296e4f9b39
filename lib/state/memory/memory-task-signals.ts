// TaskSignals for one process: a map of listener sets by task id. Listeners run inside
// publish(), after the store was written, so what they read there is already current.
import type { TaskSignal, TaskSignalListener, TaskSignals } from '../task-signals.js'

export class MemoryTaskSignals implements TaskSignals {
  private readonly listeners = new Map<string, Set<TaskSignalListener>>()

  /** Task ids with at least one listener (the count a test checks returns to zero). */
  get size (): number {
    return this.listeners.size
  }

  async publish (taskId: string, signal: TaskSignal): Promise<void> {
    const listeners = this.listeners.get(taskId)
    if (listeners === undefined) return
    for (const listener of [...listeners]) listener(signal)
  }

  async subscribe (taskId: string, listener: TaskSignalListener): Promise<() => void> {
    let listeners = this.listeners.get(taskId)
    if (listeners === undefined) {
      listeners = new Set()
      this.listeners.set(taskId, listeners)
    }
    listeners.add(listener)
    return () => {
      const set = this.listeners.get(taskId)
      if (set === undefined) return
      set.delete(listener)
      if (set.size === 0) this.listeners.delete(taskId)
    }
  }

  async close (): Promise<void> {
    this.listeners.clear()
  }
}
