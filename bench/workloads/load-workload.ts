// The request/response workloads (call, init, large, progress) share one shape: set up a
// request on a fresh target, check that one such request gets the right answer, then load
// it with autocannon. A target that answers wrongly is reported, never measured.
import { measureLoad } from '../harness/load.js'
import { McpClient, type HttpAnswer } from '../harness/mcp-client.js'
import type { LoadWindow, Settings } from '../harness/settings.js'
import type { Column, Metrics, StepOutcome, Workload, WorkloadContext } from './workload.js'

// Process start, session setup, the check request and stop.
const SETUP_SECONDS = 1.5

export interface PreparedRequest {
  headers: Record<string, string>
  body: string | Buffer
  /** Null when the answer is right, otherwise what is wrong with it. */
  check: (answer: HttpAnswer) => string | null
  /** Once-per-target extras measured in run 0 (e.g. the body-limit check). */
  extra?: () => Promise<Metrics>
}

export const LOAD_COLUMNS: Column[] = [
  { metric: 'rps', label: 'req/s', unit: 'count', ratio: true },
  { metric: 'p50', label: 'p50 ms', unit: 'ms', ratio: true },
  { metric: 'p99', label: 'p99 ms', unit: 'ms', ratio: true },
  { metric: 'cpu', label: 'server CPU %', unit: 'percent', ratio: false },
  { metric: 'cpuPerRequest', label: 'CPU µs/req', unit: 'us', ratio: true },
  { metric: 'perCore', label: 'req/s per core', unit: 'count', ratio: true },
  { metric: 'rss', label: 'RSS', unit: 'bytes', ratio: true },
  { metric: 'errors', label: 'errors', unit: 'count', ratio: false }
]

export interface LoadWorkloadOptions {
  id: string
  title: string
  method: string
  window: (settings: Settings) => LoadWindow
  prepare: (client: McpClient, context: WorkloadContext) => Promise<PreparedRequest>
  columns?: Column[]
}

export function loadWorkload (options: LoadWorkloadOptions): Workload {
  return {
    id: options.id,
    title: options.title,
    method: options.method,
    appliesTo: () => true,
    nodeArgs: [],
    estimate: (_info, settings) => {
      const w = options.window(settings)
      return w.warmup + w.duration + SETUP_SECONDS
    },
    columns: options.columns ?? LOAD_COLUMNS,
    key: { metric: 'rps', higherIsBetter: true },
    async run (context): Promise<StepOutcome> {
      const client = new McpClient(context.target.url)
      try {
        const prepared = await options.prepare(client, context)
        const sample = await client.send('POST', prepared.headers, prepared.body)
        const problem = prepared.check(sample)
        if (problem !== null) throw new Error(`wrong answer before loading: ${problem}`)
        const extra = context.run === 0 && prepared.extra !== undefined ? await prepared.extra() : {}
        const window = options.window(context.settings)
        const metrics = await measureLoad(context.target, { method: 'POST', headers: prepared.headers, body: prepared.body, ...window })
        return { metrics: { ...metrics, ...extra } }
      } finally {
        client.close()
      }
    }
  }
}
