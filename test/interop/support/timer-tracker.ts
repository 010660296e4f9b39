import { createHook } from 'node:async_hooks'
import { fileURLToPath } from 'node:url'

// A timer belongs to whoever called setTimeout/setInterval: the project's own code (lib/,
// the test servers' handlers), as opposed to Node's http date cache or fetch's sockets.
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url))
const TIMER_API = /^\s*at (?:setTimeout|setInterval) \(node:timers|^\s*at setUnrefTimeout \(node:internal\/timers/

function createdByProject (stack: string): boolean {
  const frames = stack.split('\n')
  const api = frames.findIndex((frame) => TIMER_API.test(frame))
  const caller = api === -1 ? undefined : frames[api + 1]
  return caller !== undefined && caller.includes(projectRoot) && !caller.includes('/node_modules/')
}

export interface TimerTracker {
  /** Creation stacks of the project's timers created since tracking began and still alive. */
  alive: () => string[]
  stop: () => void
}

/**
 * Tracks every timer (setTimeout/setInterval) created from now on until it is cleared or
 * has fired. Unlike process.getActiveResourcesInfo(), which only lists ref'd timers, this
 * sees the unref'd ones too: the session sweeper and the SSE heartbeat are unref'd, so
 * they would leak silently otherwise.
 */
export function trackTimers (): TimerTracker {
  const live = new Map<number, Error>()
  const hook = createHook({
    init (asyncId, type) {
      if (type !== 'Timeout') return
      // Deep enough to get past async_hooks' and timers' own frames to the caller.
      const limit = Error.stackTraceLimit
      Error.stackTraceLimit = 40
      live.set(asyncId, new Error('timer created here'))
      Error.stackTraceLimit = limit
    },
    destroy (asyncId) {
      live.delete(asyncId)
    }
  })
  hook.enable()
  return {
    alive: () => [...live.values()].map((e) => e.stack ?? '').filter(createdByProject),
    stop: () => { hook.disable() }
  }
}

/** Destroy hooks run asynchronously after clearTimeout; let them land before counting. */
export async function settleTimers (): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
}

/** How many ref'd timers Node reports as keeping the process alive. */
export function refTimerCount (): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
}
