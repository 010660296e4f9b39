// The results as markdown: per workload a table (median of the runs, each figure with its
// ratio to the limit and to the fastest SDK variant), then the goals of issue 7.
import type { Machine } from '../harness/proc-stats.js'
import type { StepRecord } from '../harness/step.js'
import type { Settings } from '../harness/settings.js'
import { runsOn, type TargetInfo } from '../harness/targets.js'
import type { Column, Metrics, Workload } from '../workloads/workload.js'
import { median } from './median.js'

export interface RunRecord {
  started: Date
  finished: Date
  command: string
  machine: Machine
  loadAtEnd: string
  settings: Settings
  steps: StepRecord[]
  leftOut: ReadonlyArray<{ label: string, reason: string }>
  /** Which Redis the Redis-state target ran against, when it ran. */
  redis?: string
  aborted?: string
}

type Medians = Map<string, Map<string, Metrics>>

function mediansOf (steps: StepRecord[]): Medians {
  const grouped = new Map<string, Map<string, Metrics[]>>()
  for (const step of steps) {
    if (step.metrics === undefined) continue
    const byTarget = grouped.get(step.workload) ?? new Map<string, Metrics[]>()
    grouped.set(step.workload, byTarget)
    const list = byTarget.get(step.target) ?? []
    byTarget.set(step.target, list)
    list.push(step.metrics)
  }
  const out: Medians = new Map()
  for (const [workload, byTarget] of grouped) {
    const m = new Map<string, Metrics>()
    for (const [target, runs] of byTarget) {
      const metrics: Metrics = {}
      const names = new Set(runs.flatMap((r) => Object.keys(r)))
      for (const name of names) metrics[name] = median(runs.map((r) => r[name]))
      m.set(target, metrics)
    }
    out.set(workload, m)
  }
  return out
}

function runsCount (steps: StepRecord[], workload: string, target: string): number {
  return steps.filter((s) => s.workload === workload && s.target === target && s.metrics !== undefined).length
}

export function formatValue (value: number | null | undefined, unit: Column['unit']): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—'
  switch (unit) {
    case 'count': return Math.round(value).toLocaleString('en-US')
    case 'ms': return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')
    case 'percent': return value.toFixed(1)
    case 'us': return Math.round(value).toLocaleString('en-US')
    case 'ratio': return `${value.toFixed(2)}×`
    case 'bytes': {
      const abs = Math.abs(value)
      if (abs < 10 * 1024) return `${Math.round(value).toLocaleString('en-US')} B`
      if (abs < 10 * 1024 * 1024) return `${(value / 1024).toFixed(1)} KiB`
      return `${Math.round(value / (1024 * 1024)).toLocaleString('en-US')} MiB`
    }
  }
}

function ratio (value: number | null | undefined, reference: number | null | undefined): string {
  if (value === null || value === undefined || reference === null || reference === undefined || reference === 0) return '—'
  return (value / reference).toFixed(2)
}

/** The SDK target that did best on the workload's key metric. */
function fastestSdk (workload: Workload, medians: Map<string, Metrics>, targets: readonly TargetInfo[]): TargetInfo | undefined {
  let best: TargetInfo | undefined
  let bestValue = 0
  for (const target of targets) {
    if (target.kind !== 'sdk') continue
    const value = medians.get(target.id)?.[workload.key.metric]
    if (value === null || value === undefined) continue
    if (best === undefined || (workload.key.higherIsBetter ? value > bestValue : value < bestValue)) {
      best = target
      bestValue = value
    }
  }
  return best
}

function workloadTable (workload: Workload, medians: Map<string, Metrics>, targets: readonly TargetInfo[], steps: StepRecord[]): string {
  const limit = targets.find((t) => t.kind === 'limit')
  const limitMetrics = limit === undefined ? undefined : medians.get(limit.id)
  const sdk = fastestSdk(workload, medians, targets)
  const sdkMetrics = sdk === undefined ? undefined : medians.get(sdk.id)
  const header = ['target', 'runs', ...workload.columns.map((c) => c.label)]
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => i < 2 ? '---' : '---:').join(' | ')} |`]
  for (const target of targets) {
    if (!runsOn(workload, target)) continue
    const metrics = medians.get(target.id)
    const cells = [target.label, String(runsCount(steps, workload.id, target.id))]
    for (const column of workload.columns) {
      const value = metrics?.[column.metric]
      let cell = formatValue(value, column.unit)
      if (column.ratio && metrics !== undefined && value !== null && value !== undefined) {
        cell += ` (${ratio(value, limitMetrics?.[column.metric])} L, ${ratio(value, sdkMetrics?.[column.metric])} S)`
      }
      cells.push(cell)
    }
    lines.push(`| ${cells.join(' | ')} |`)
  }
  if (!workload.columns.some((c) => c.ratio)) return lines.join('\n')
  const sdkNote = sdk === undefined ? 'no SDK figure' : `S = ${sdk.label}, the fastest SDK variant on ${workload.key.metric}`
  return `${lines.join('\n')}\n\nL = ratio to bare Fastify (the limit); ${sdkNote}.`
}

interface Goal {
  goal: string
  measured: string
  met: boolean | null
}

function goals (record: RunRecord, medians: Medians, targets: readonly TargetInfo[]): Goal[] {
  const out: Goal[] = []
  const ours = targets.find((t) => t.kind === 'ours')?.id ?? 'plugin'
  const limit = targets.find((t) => t.kind === 'limit')?.id ?? 'bare'
  const get = (workload: string, target: string | undefined, metric: string): number | null => {
    if (target === undefined) return null
    return medians.get(workload)?.get(target)?.[metric] ?? null
  }
  // The best SDK figure for this metric (higher is better for every metric a goal uses).
  const bestSdk = (workload: string, metric: string): number | null => {
    const values = targets.filter((t) => t.kind === 'sdk').map((t) => get(workload, t.id, metric)).filter((v): v is number => v !== null)
    return values.length === 0 ? null : Math.max(...values)
  }
  const rel = (a: number | null, b: number | null): number | null => a === null || b === null || b === 0 ? null : a / b
  // Ours against the limit: every run measures the two back to back, so the median of the
  // runs' own ratios leaves out what a shared machine drifts between runs, which a ratio of
  // two medians taken minutes apart does not.
  const paired = (workload: string, metric: string, mineId = ours, theirsId = limit): number | null => {
    const ratios: number[] = []
    for (const step of record.steps) {
      if (step.workload !== workload || step.target !== mineId) continue
      const mine = step.metrics?.[metric]
      const theirs = record.steps.find((s) => s.workload === workload && s.target === theirsId && s.run === step.run)?.metrics?.[metric]
      const ratio = rel(mine ?? null, theirs ?? null)
      if (ratio !== null) ratios.push(ratio)
    }
    return median(ratios)
  }
  const check = (goal: string, value: number | null, test: (v: number) => boolean, show: (v: number) => string): void => {
    out.push({ goal, measured: value === null ? 'not measured' : show(value), met: value === null ? null : test(value) })
  }
  const x = (v: number): string => `${v.toFixed(2)}×`

  check('call ≥ 0.8× the limit (req/s)', paired('call', 'rps'), (v) => v >= 0.8, x)
  check('call ≥ 5× the fastest SDK variant (req/s)', rel(get('call', ours, 'rps'), bestSdk('call', 'rps')), (v) => v >= 5, x)
  check('init ≥ 0.5× the limit (req/s)', paired('init', 'rps'), (v) => v >= 0.5, x)
  // The same goals per core of server CPU: robust when the load generator is the bottleneck.
  check('call per core ≥ 0.8× the limit (req/s per core of server CPU)', paired('call', 'perCore'), (v) => v >= 0.8, x)
  check('call per core ≥ 5× the best SDK variant per core', rel(get('call', ours, 'perCore'), bestSdk('call', 'perCore')), (v) => v >= 5, x)
  check('init per core ≥ 0.5× the limit', paired('init', 'perCore'), (v) => v >= 0.5, x)
  // Issue 11: the Redis state must not cost the request path more than 40 %.
  const redisVariant = targets.find((t) => t.kind === 'variant' && t.redis === true)?.id
  if (redisVariant !== undefined) {
    check('call with the Redis state ≥ 0.6× the same plugin in memory (req/s)', paired('call', 'rps', redisVariant, ours), (v) => v >= 0.6, x)
    check('call with the Redis state per core ≥ 0.6× memory', paired('call', 'perCore', redisVariant, ours), (v) => v >= 0.6, x)
  }
  const sizes = record.settings.sseSizes
  const sse = `sse-${Math.max(...sizes)}`
  const n = Math.max(...sizes).toLocaleString('en-US')
  const held = get(sse, ours, 'streams')
  const sseErrors = get(sse, ours, 'errors')
  check(`${sse}: ${n} streams held, no errors`, held === null || sseErrors === null ? null : sseErrors, (v) => v === 0 && held === Math.max(...sizes), (v) => `${held?.toLocaleString('en-US')} held, ${v} errors`)
  check(`${sse}: heap per idle session ≤ 2 KB`, get(sse, ours, 'heapPerSession'), (v) => v <= 2048, (v) => formatValue(v, 'bytes'))
  check(`${sse}: memory (RSS) per held stream ≤ 1.25× the limit`, paired(sse, 'rssPerStream'), (v) => v <= 1.25, x)
  check(`${sse}: broadcast to the last stream ≤ 1.25× the limit's time`, paired(sse, 'broadcastMs'), (v) => v <= 1.25, x)
  check('large: ≥ 0.9× the limit (req/s)', paired('large', 'rps'), (v) => v >= 0.9, x)
  check('large: 3.9 MiB accepted', get('large', ours, 'status3_9MiB'), (v) => v === 200, (v) => `HTTP ${v}`)
  check('large: 4.1 MiB refused with 413', get('large', ours, 'status4_1MiB'), (v) => v === 413, (v) => `HTTP ${v}`)
  const cycled = record.settings.memorySessions.toLocaleString('en-US')
  check(`memory: ${cycled} sessions opened and closed leave the heap within 5 %${record.settings.memorySessions < 100_000 ? ' (the goal is 100,000)' : ''}`,
    get('memory', ours, 'heapGrowthPercent'), (v) => v <= 5, (v) => `${v.toFixed(2)} %`)
  return out
}

function bodyLimitTable (medians: Medians, targets: readonly TargetInfo[]): string {
  const large = medians.get('large')
  if (large === undefined) return ''
  const lines = ['| target | 3.9 MiB | 4.1 MiB |', '| --- | ---: | ---: |']
  for (const target of targets) {
    const m = large.get(target.id)
    if (m === undefined) continue
    const show = (v: number | null | undefined): string => v === null || v === undefined ? '—' : v === -1 ? 'connection error' : `HTTP ${v}`
    lines.push(`| ${target.label} | ${show(m.status3_9MiB)} | ${show(m.status4_1MiB)} |`)
  }
  return lines.join('\n')
}

export function renderReport (record: RunRecord, workloads: readonly Workload[], targets: readonly TargetInfo[]): string {
  const medians = mediansOf(record.steps)
  const s = record.settings
  const m = record.machine
  const out: string[] = []
  out.push(`# Benchmark results ${record.started.toISOString().slice(0, 10)}${s.quick ? ' (--quick)' : ''}`)
  out.push('')
  out.push(`Command: \`${record.command}\``)
  out.push('')
  out.push(`Code measured: ${m.revision}.`)
  out.push('')
  out.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.kernel}; Node ${m.node}. Pinning: ${m.pinning}.`)
  out.push(`Load average at start ${m.loadAverage}, at end ${record.loadAtEnd}: the machine is shared, so absolute figures are noisy; the ratios are the claim.`)
  out.push(`Started ${record.started.toISOString()}, took ${((record.finished.getTime() - record.started.getTime()) / 1000).toFixed(0)} s. ` +
    `${s.runs} run(s) per target and workload, median reported; in every run ours and the limit are measured back to back (their order alternating), ours on the Redis state (when measured) on ours' other side, then the SDK variants in rotation; the goals' ratios to the limit are the median of each run's own ratio; every step starts a fresh target process.`)
  if (record.aborted !== undefined) out.push(`\n**Run aborted: ${record.aborted}. The tables hold what was measured before.**`)
  for (const left of record.leftOut) out.push(`\nNot measured: ${left.label}: ${left.reason}.`)
  if (record.redis !== undefined) out.push(`\nRedis state target: ${record.redis}.`)
  out.push('')
  out.push('## Goals (issues 7 and 11)')
  out.push('')
  out.push('| goal | measured | met |')
  out.push('| --- | --- | --- |')
  for (const g of goals(record, medians, targets)) out.push(`| ${g.goal} | ${g.measured} | ${g.met === null ? '—' : g.met ? 'yes' : '**no**'} |`)
  for (const workload of workloads) {
    const byTarget = medians.get(workload.id)
    out.push('')
    out.push(`## ${workload.title}`)
    out.push('')
    out.push(workload.method)
    out.push('')
    if (byTarget === undefined) {
      out.push('Not measured (see the step log).')
      continue
    }
    out.push(workloadTable(workload, byTarget, targets, record.steps))
    if (workload.id === 'large') {
      out.push('')
      out.push('Body limit check (run 0):')
      out.push('')
      out.push(bodyLimitTable(medians, targets))
    }
  }
  const problems = record.steps.filter((step) => step.error !== undefined || step.skipped !== undefined || step.notes.length > 0)
  if (problems.length > 0) {
    out.push('')
    out.push('## Step log (errors, skips, notes)')
    out.push('')
    for (const step of problems) {
      const what = step.error !== undefined ? `error: ${step.error}` : step.skipped !== undefined ? `skipped: ${step.skipped}` : step.notes.join('; ')
      out.push(`- ${step.workload} run ${step.run + 1}, ${step.target}: ${what.replace(/\s+/g, ' ').slice(0, 400)}`)
    }
  }
  out.push('')
  out.push('Reading the tables: figures are medians; "(a L, b S)" after a figure is that figure divided by the same figure of the limit (L) and of the fastest SDK variant (S). ' +
    'For req/s higher is better; for latency, CPU per request, memory and broadcast time lower is better. ' +
    '"req/s per core" is 2xx responses divided by the server CPU seconds they took: what one saturated core would serve, the fair figure when the load generator (one autocannon thread) cannot saturate the target (bare Fastify needs the whole of CPU 0 to be saturated) or when neighbours take CPU time from the target. Latency percentiles come from autocannon in whole milliseconds. ' +
    'Server CPU % is utime+stime from /proc/<pid>/stat over the measured window (100 % = one core); RSS is VmRSS at the end of the window. ' +
    'The SDK targets answer tools/call with an SSE stream (the SDK default, as in its examples); ours and bare Fastify answer JSON.')
  return out.join('\n') + '\n'
}
