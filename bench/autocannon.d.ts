// autocannon ships no types; this declares the small part of its library API the bench uses.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p99: number
    p99_9: number
  }

  interface Result {
    requests: Histogram
    latency: Histogram
    throughput: Histogram
    duration: number
    errors: number
    timeouts: number
    mismatches: number
    non2xx: number
    resets: number
    statusCodeStats: Record<string, { count: number }>
    '2xx': number
  }

  interface Options {
    url: string
    connections?: number
    duration?: number
    method?: string
    headers?: Record<string, string>
    body?: string | Buffer
    timeout?: number
    pipelining?: number
    verifyBody?: (body: string) => boolean
  }

  interface Instance extends EventEmitter {
    stop (): void
  }

  function autocannon (options: Options, callback: (err: Error | null, result: Result) => void): Instance

  namespace autocannon {
    export type { Options, Result, Histogram, Instance }
  }

  export default autocannon
}
