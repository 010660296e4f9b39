// Task signals over the Redis bus: one channel per task that some instance listens to, so
// a tasks/cancel or tasks/update on any instance reaches the runner, and a status change
// reaches every listen stream that watches the task. Fire-and-forget, as the seam says: the
// store is the source of truth, and a lost signal only delays.
import type { TaskSignal, TaskSignalListener, TaskSignals } from '../task-signals.js'
import type { RedisBus } from './redis-bus.js'
import type { StateGuard } from './state-guard.js'

export class RedisTaskSignals implements TaskSignals {
  private readonly bus: RedisBus
  private readonly guard: StateGuard
  private readonly prefix: string
  private readonly listeners = new Map<string, Set<TaskSignalListener>>()

  constructor (bus: RedisBus, guard: StateGuard, prefix: string) {
    this.bus = bus
    this.guard = guard
    this.prefix = `${prefix}{tasks}:signal:`
  }

  /** Task ids with at least one listener here. */
  get size (): number {
    return this.listeners.size
  }

  async publish (taskId: string, signal: TaskSignal): Promise<void> {
    await this.guard.run(this.bus.publish(this.prefix + taskId, JSON.stringify(signal)))
  }

  async subscribe (taskId: string, listener: TaskSignalListener): Promise<() => void> {
    let listeners = this.listeners.get(taskId)
    if (listeners === undefined) {
      listeners = new Set()
      this.listeners.set(taskId, listeners)
      const channel = this.prefix + taskId
      this.bus.route(channel, (message) => {
        const signal = JSON.parse(message) as TaskSignal
        for (const registered of [...this.listeners.get(taskId)!]) registered(signal)
      })
      try {
        await this.guard.run(this.bus.subscribe(channel))
      } catch (err) {
        this.listeners.delete(taskId)
        this.bus.unroute(channel)
        throw err
      }
    }
    listeners.add(listener)
    return () => {
      const set = this.listeners.get(taskId)
      if (set === undefined || !set.delete(listener) || set.size > 0) return
      this.listeners.delete(taskId)
      this.bus.unroute(this.prefix + taskId)
      this.bus.unsubscribe(this.prefix + taskId)
    }
  }

  async close (): Promise<void> {
    for (const taskId of this.listeners.keys()) {
      this.bus.unroute(this.prefix + taskId)
      this.bus.unsubscribe(this.prefix + taskId)
    }
    this.listeners.clear()
  }
}
