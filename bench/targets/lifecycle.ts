// What every bench target process shares: where it listens, how it tells the runner it is
// ready, and how it stops. The runner reads the READY line from stdout to learn the port.

export const READY_PREFIX = 'listening on '

/** PORT from the environment; 0 (any free port) when unset, as the runner starts targets. */
export function portFromEnv (fallback = 0): number {
  const raw = process.env.PORT
  if (raw === undefined || raw === '') return fallback
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be 0-65535, got ${raw}`)
  return port
}

export function announce (port: number, path = '/mcp'): void {
  process.stdout.write(`${READY_PREFIX}http://127.0.0.1:${port}${path}\n`)
}

/**
 * Exits cleanly on SIGTERM/SIGINT. A clean exit matters: `--cpu-prof` writes its profile
 * only when the process exits normally, and the runner stops every target this way first.
 */
export function stopOnSignal (close: () => Promise<unknown> | void): void {
  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    // Open SSE streams can keep a graceful close waiting; never wait more than a second.
    const force = setTimeout(() => process.exit(0), 1000)
    force.unref()
    Promise.resolve().then(close).finally(() => process.exit(0))
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

export interface BenchStats {
  sessions: number
  streams: number
  heapUsed: number
  rss: number
}

/** Heap and RSS now, after a full GC when the process was started with --expose-gc. */
export function memoryNow (collect: boolean): { heapUsed: number, rss: number, gc: boolean } {
  const gc = (globalThis as { gc?: () => void }).gc
  if (collect && gc !== undefined) {
    // Two passes: the first can leave weak references and finalizers for the second.
    gc()
    gc()
  }
  const usage = process.memoryUsage()
  return { heapUsed: usage.heapUsed, rss: usage.rss, gc: collect && gc !== undefined }
}
