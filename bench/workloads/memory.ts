// memory: sessions created and closed (initialize, then DELETE) must leave the heap where it
// started. Our plugin only: the goal is ours, and the SDK targets would take minutes.
import { McpClient, inParallel } from '../harness/mcp-client.js'
import { benchStats } from './bench-stats.js'
import type { StepOutcome, Workload } from './workload.js'

const CONCURRENCY = 32
const WARMUP_SESSIONS = 2000

export const memoryWorkload: Workload = {
  id: 'memory',
  title: 'memory: sessions created and closed',
  method: `After ${WARMUP_SESSIONS.toLocaleString('en-US')} warm-up sessions, heap after a forced GC; then N sessions each opened (initialize) and closed (DELETE), ${CONCURRENCY} at a time; then the heap again after a forced GC. Our plugin only.`,
  appliesTo: (info) => info.kind === 'ours',
  nodeArgs: ['--expose-gc'],
  estimate: (_info, settings) => 3 + (settings.memorySessions + WARMUP_SESSIONS) / 2500,
  columns: [
    { metric: 'sessions', label: 'sessions cycled', unit: 'count', ratio: false },
    { metric: 'cyclesPerSecond', label: 'open+close /s', unit: 'count', ratio: false },
    { metric: 'heapStart', label: 'heap before', unit: 'bytes', ratio: false },
    { metric: 'heapEnd', label: 'heap after', unit: 'bytes', ratio: false },
    { metric: 'heapGrowthPercent', label: 'heap growth %', unit: 'percent', ratio: false },
    { metric: 'liveSessions', label: 'live sessions after', unit: 'count', ratio: false },
    { metric: 'errors', label: 'errors', unit: 'count', ratio: false }
  ],
  key: { metric: 'cyclesPerSecond', higherIsBetter: true },
  async run (context): Promise<StepOutcome> {
    const count = context.settings.memorySessions
    const client = new McpClient(context.target.url, CONCURRENCY)
    let errors = 0
    const cycle = async (): Promise<void> => {
      try {
        const id = await client.initialize(false)
        if (await client.deleteSession(id) !== 200) errors++
      } catch {
        errors++
      }
    }
    try {
      const control = await client.initialize()
      await inParallel(WARMUP_SESSIONS, CONCURRENCY, cycle)
      errors = 0
      const start = await benchStats(client, control)
      const t0 = process.hrtime.bigint()
      await inParallel(count, CONCURRENCY, cycle)
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9
      const end = await benchStats(client, control)
      return {
        metrics: {
          sessions: count,
          cyclesPerSecond: count / seconds,
          heapStart: start.heapUsed,
          heapEnd: end.heapUsed,
          heapGrowthPercent: ((end.heapUsed - start.heapUsed) / start.heapUsed) * 100,
          liveSessions: end.sessions,
          errors
        },
        notes: start.gc ? [] : ['bench_stats ran without --expose-gc: heap figures include garbage']
      }
    } finally {
      client.close()
    }
  }
}
