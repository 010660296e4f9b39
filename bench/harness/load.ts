// One measured load window: autocannon (as a library, in this process) against a target,
// after a warm-up window whose figures are thrown away, with the target's CPU time read
// from /proc around the measured window only.
import autocannon from 'autocannon'
import type { TargetProcess } from './target-process.js'

export interface LoadSpec {
  method: 'POST'
  headers: Record<string, string>
  body: string | Buffer
  connections: number
  /** Seconds; autocannon samples once a second, so whole seconds measure what they say. */
  warmup: number
  duration: number
}

export interface LoadMetrics {
  /** 2xx responses per second over the measured window. */
  rps: number
  p50: number
  p99: number
  /** Server CPU over the window, percent of one core. */
  cpu: number | null
  /** Server CPU microseconds per request. */
  cpuPerRequest: number | null
  /**
   * Requests per second of server CPU: what one saturated core would serve. It stays
   * meaningful when the load generator, not the target, is the bottleneck (bare Fastify on
   * a 2-core machine), and when neighbours steal CPU time from the target's core.
   */
  perCore: number | null
  rss: number | null
  errors: number
  /** Responses completed in the measured window. */
  requests: number
  /** The measured window on the system-wide monotonic clock, in µs (to cut CPU profiles). */
  windowStartUs: number
  windowEndUs: number
  [key: string]: number | null
}

function fire (url: string, spec: LoadSpec, duration: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({
      url,
      method: spec.method,
      headers: spec.headers,
      body: spec.body,
      connections: spec.connections,
      duration,
      timeout: 10
    }, (err, result) => {
      if (err !== null && err !== undefined) reject(err)
      else resolve(result)
    })
  })
}

export async function measureLoad (target: TargetProcess, spec: LoadSpec): Promise<LoadMetrics> {
  if (spec.warmup > 0) await fire(target.url, spec, spec.warmup)
  const cpuBefore = target.cpuSeconds()
  const started = process.hrtime.bigint()
  const result = await fire(target.url, spec, spec.duration)
  const ended = process.hrtime.bigint()
  const wall = Number(ended - started) / 1e9
  const cpuAfter = target.cpuSeconds()
  const cpuUsed = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore
  const ok = result['2xx']
  const completed = result.requests.total
  return {
    rps: ok / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpu: cpuUsed === null ? null : (cpuUsed / wall) * 100,
    cpuPerRequest: cpuUsed === null || completed === 0 ? null : (cpuUsed / completed) * 1e6,
    perCore: cpuUsed === null || cpuUsed === 0 ? null : ok / cpuUsed,
    rss: target.rssBytes(),
    errors: result.errors + result.timeouts + result.non2xx,
    requests: completed,
    windowStartUs: Number(started / 1000n),
    windowEndUs: Number(ended / 1000n)
  }
}
