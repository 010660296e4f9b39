// One step: a fresh target process, one workload run against it, the process stopped
// whatever happened. Failures become part of the record instead of ending the run.
import type { Settings } from './settings.js'
import { TargetProcess } from './target-process.js'
import type { TargetInfo } from './targets.js'
import type { Metrics, Workload } from '../workloads/workload.js'

export interface StepRecord {
  workload: string
  target: string
  run: number
  seconds: number
  metrics?: Metrics
  notes: string[]
  error?: string
  skipped?: string
}

export async function runStep (workload: Workload, info: TargetInfo, settings: Settings, run: number, log: (message: string) => void, extraNodeArgs: string[] = []): Promise<StepRecord> {
  const began = Date.now()
  const step: StepRecord = { workload: workload.id, target: info.id, run, seconds: 0, notes: [] }
  let target: TargetProcess | null = null
  try {
    target = await TargetProcess.start({ script: info.script, nodeArgs: [...workload.nodeArgs, ...extraNodeArgs], env: info.env })
    const outcome = await workload.run({ target, info, settings, run, log })
    step.metrics = outcome.metrics
    step.notes.push(...(outcome.notes ?? []))
    if (!target.alive) step.notes.push(`target exited during the step: ${target.stderr.slice(-300)}`)
  } catch (err) {
    step.error = (err as Error).message + (target !== null && target.stderr !== '' ? ` | target stderr: ${target.stderr.slice(-300)}` : '')
  } finally {
    if (target !== null) await target.stop()
  }
  step.seconds = (Date.now() - began) / 1000
  return step
}

/** One line for the progress log. */
export function headline (workload: Workload, step: StepRecord): string {
  const m = step.metrics
  if (m === undefined) return step.error ?? step.skipped ?? 'no figures'
  const n = (v: number | null | undefined, digits = 0): string => v === null || v === undefined ? '—' : v.toFixed(digits)
  if (workload.id.startsWith('sse')) {
    return `broadcast ${n(m.broadcastMs, 1)} ms, ${n(m.streams)} streams, RSS/stream ${n(m.rssPerStream)} B, errors ${n(m.errors)}; ` +
      `set up ${n(m.sessionsPerSecond)} sessions/s, ${n(m.streamsPerSecond)} streams/s`
  }
  if (workload.id === 'memory') return `${n(m.cyclesPerSecond)} open+close/s, heap ${n(m.heapGrowthPercent, 2)} %, errors ${n(m.errors)}`
  return `${n(m.rps)} req/s, p50 ${n(m.p50)} ms, p99 ${n(m.p99)} ms, CPU ${n(m.cpu)} %, ${n(m.perCore)} req/s per core, errors ${n(m.errors)}`
}
