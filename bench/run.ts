// `npm run bench`: every workload against every target, each step in a fresh target process
// pinned to its own CPU, bounded by a time budget, results written to bench/results/.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describeMachine } from './harness/proc-stats.js'
import { parseSettings, type Settings } from './harness/settings.js'
import { headline, runStep, type StepRecord } from './harness/step.js'
import { killAllTargets, pinRunner } from './harness/target-process.js'
import { benchRedis, withRedis, type BenchRedis } from './harness/bench-redis.js'
import { LEFT_OUT, runsOn, TARGETS, type TargetInfo } from './harness/targets.js'
import { profileTargets } from './profile/profile-targets.js'
import { renderReport, type RunRecord } from './report/markdown.js'
import { memoryWorkload } from './workloads/memory.js'
import { callWorkload, initWorkload, largeWorkload, progressWorkload } from './workloads/request-workloads.js'
import { sseWorkload } from './workloads/sse.js'
import type { Workload } from './workloads/workload.js'

// The watchdog's grace beyond the budget: the step running when the budget ends may finish.
const WATCHDOG_GRACE_S = 45
const FD_HEADROOM = 2000
const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url))
const RAISED_ENV = 'FASTIFY_MCP_BENCH_FD_RAISED'

const startedAt = Date.now()
const elapsed = (): number => (Date.now() - startedAt) / 1000

function log (message: string): void {
  process.stderr.write(`[${elapsed().toFixed(1).padStart(6)}s] ${message}\n`)
}

function openFileLimits (): { soft: number, hard: number } {
  const read = (flag: string): number => {
    const out = spawnSync('sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).stdout.trim()
    return out === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(out)
  }
  return { soft: read('-Sn'), hard: read('-Hn') }
}

/**
 * 10,000 streams need 10,000+ descriptors in this process and in the target. Node cannot
 * raise its own limit, so when the soft limit is too low and the hard one allows more, the
 * runner re-executes itself under `ulimit -n <hard>` once (children inherit the limit).
 */
function ensureDescriptors (settings: Settings): string | null {
  const need = Math.max(...settings.sseSizes) + FD_HEADROOM
  const { soft, hard } = openFileLimits()
  if (soft >= need) return null
  if (hard > soft && process.env[RAISED_ENV] === undefined) {
    const limit = hard === Number.MAX_SAFE_INTEGER ? 'unlimited' : String(hard)
    const result = spawnSync('sh', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, ...process.execArgv, process.argv[1], ...process.argv.slice(2)],
      { stdio: 'inherit', env: { ...process.env, [RAISED_ENV]: '1' } })
    process.exit(result.status ?? 1)
  }
  const fits = settings.sseSizes.filter((n) => n + FD_HEADROOM <= soft)
  const dropped = settings.sseSizes.filter((n) => !fits.includes(n))
  settings.sseSizes = fits.length > 0 ? fits : [Math.max(100, soft - FD_HEADROOM)]
  return `open-file limit ${soft} (hard ${hard}) is too low for sse-${dropped.join(', sse-')}; ran sse-${settings.sseSizes.join(', sse-')} instead`
}

function selectWorkloads (settings: Settings): Workload[] {
  // memory before the largest sse size: if the budget runs short, the slowest step goes.
  const sse = [...settings.sseSizes].sort((a, b) => a - b).map(sseWorkload)
  const all = [callWorkload, initWorkload, largeWorkload, progressWorkload, ...sse.slice(0, -1), memoryWorkload, ...sse.slice(-1)]
  if (settings.workloads === null) return all
  const unknown = settings.workloads.filter((id) => !all.some((w) => w.id === id))
  if (unknown.length > 0) throw new Error(`Unknown workload(s): ${unknown.join(', ')}; choose from ${all.map((w) => w.id).join(', ')}`)
  return all.filter((w) => settings.workloads!.includes(w.id))
}

function selectTargets (settings: Settings): TargetInfo[] {
  if (settings.targets === null) return [...TARGETS]
  const unknown = settings.targets.filter((id) => !TARGETS.some((t) => t.id === id))
  if (unknown.length > 0) throw new Error(`Unknown target(s): ${unknown.join(', ')}; choose from ${TARGETS.map((t) => t.id).join(', ')}`)
  return TARGETS.filter((t) => settings.targets!.includes(t.id))
}

/**
 * The order of one run: ours and the limit back to back, first one then the other as runs
 * alternate, so that each run's ratio between them is measured under the same conditions;
 * ours' own variants (the Redis state) on ours' other side, for the same reason; the SDK
 * targets follow in rotation.
 */
function runOrder (list: TargetInfo[], run: number): TargetInfo[] {
  const kinds = (kind: TargetInfo['kind']): TargetInfo[] => list.filter((t) => t.kind === kind)
  const middle = [...kinds('variant'), ...kinds('ours'), ...kinds('limit')]
  return [...(run % 2 === 1 ? middle.reverse() : middle), ...rotate(kinds('sdk'), run)]
}

interface PreparedTargets {
  targets: TargetInfo[]
  redis: BenchRedis | null
  leftOut: Array<{ label: string, reason: string }>
}

/**
 * Targets that need Redis get one (bench-redis.ts). Without one, a target the command named
 * is an error; one that came with the defaults is left out, and the report says why.
 */
async function prepareTargets (targets: TargetInfo[], settings: Settings): Promise<PreparedTargets> {
  const leftOut = [...LEFT_OUT]
  if (!targets.some((t) => t.redis === true)) return { targets, redis: null, leftOut }
  const redis = await benchRedis()
  if (typeof redis !== 'string') return { targets: withRedis(targets, redis), redis, leftOut }
  const named = targets.filter((t) => t.redis === true && settings.targets !== null)
  if (named.length > 0) throw new Error(`${named.map((t) => t.id).join(', ')} needs Redis: ${redis}`)
  for (const t of targets) if (t.redis === true) leftOut.push({ label: t.label, reason: redis })
  return { targets: targets.filter((t) => t.redis !== true), redis: null, leftOut }
}

function rotate<T> (list: T[], by: number): T[] {
  if (list.length === 0) return list
  const k = by % list.length
  return [...list.slice(k), ...list.slice(0, k)]
}

function commandLine (): string {
  const args = process.argv.slice(2)
  return args.length === 0 ? 'npm run bench' : `npm run bench -- ${args.join(' ')}`
}

/** The markdown report, and the raw steps as JSON next to it (for re-rendering or diffing). */
function writeReport (markdown: string, record: RunRecord): string[] {
  if (!record.settings.write) return []
  mkdirSync(RESULTS_DIR, { recursive: true })
  const name = `${record.started.toISOString().slice(0, 10)}${record.settings.quick ? '-quick' : ''}`
  const files = [join(RESULTS_DIR, `${name}.md`), join(RESULTS_DIR, 'latest.md')]
  for (const file of files) writeFileSync(file, markdown)
  const json = join(RESULTS_DIR, `${name}.json`)
  writeFileSync(json, JSON.stringify(record, null, 2) + '\n')
  return [...files, json]
}

async function benchmark (settings: Settings, pinning: string, fdNote: string | null): Promise<void> {
  const workloads = selectWorkloads(settings)
  const { targets, redis, leftOut } = await prepareTargets(selectTargets(settings), settings)
  if (redis !== null) log(`redis: ${redis.description}`)
  const started = new Date()
  const record: RunRecord = {
    started,
    finished: started,
    command: commandLine(),
    machine: describeMachine(pinning),
    loadAtEnd: '',
    settings,
    steps: [],
    leftOut
  }
  if (redis !== null) record.redis = `${redis.description}${redis.owned ? ', restarted empty before every step' : ''}`
  if (fdNote !== null) record.steps.push({ workload: 'sse', target: '-', run: 0, seconds: 0, notes: [fdNote] })

  const finish = (aborted?: string): void => {
    record.finished = new Date()
    record.loadAtEnd = os.loadavg().map((l) => l.toFixed(2)).join(' ')
    if (aborted !== undefined) record.aborted = aborted
    const markdown = renderReport(record, workloads, targets)
    process.stdout.write(`\n${markdown}`)
    for (const file of writeReport(markdown, record)) log(`wrote ${file}`)
  }

  // The budget is enforced twice: steps that would not fit are skipped, and a watchdog ends
  // the run (killing every target, writing what was measured) if a step hangs past it.
  const watchdog = setTimeout(() => {
    log('watchdog: time budget exceeded; stopping')
    killAllTargets()
    finish(`time budget of ${settings.budget} s (+${WATCHDOG_GRACE_S} s grace) exceeded`)
    process.exit(2)
  }, (settings.budget + WATCHDOG_GRACE_S) * 1000)

  const runsOf = (w: Workload, t: TargetInfo): number => w.runsFor?.(t, settings) ?? settings.runs
  const planned = workloads.reduce((sum, w) => sum + targets.filter((t) => runsOn(w, t)).reduce((s, t) => s + runsOf(w, t) * w.estimate(t, settings), 0), 0)
  log(`${workloads.length} workloads × ${targets.length} targets × ${settings.runs} run(s); estimated ${planned.toFixed(0)} s, budget ${settings.budget} s`)

  for (const workload of workloads) {
    const applicable = targets.filter((t) => runsOn(workload, t))
    for (let run = 0; run < settings.runs; run++) {
      for (const info of runOrder(applicable, run).filter((t) => run < runsOf(workload, t))) {
        const estimate = workload.estimate(info, settings)
        if (elapsed() + estimate > settings.budget) {
          record.steps.push({ workload: workload.id, target: info.id, run, seconds: 0, notes: [], skipped: `would overrun the ${settings.budget} s budget (about ${estimate.toFixed(0)} s needed at ${elapsed().toFixed(0)} s)` })
          log(`${workload.id} run ${run + 1} ${info.id}: skipped (budget)`)
          continue
        }
        if (info.redis === true) await redis!.fresh()
        const step = await runStep(workload, info, settings, run, log)
        record.steps.push(step)
        log(`${workload.id} run ${run + 1}/${settings.runs} ${info.id} (${step.seconds.toFixed(1)} s): ${headline(workload, step)}`)
      }
    }
  }
  clearTimeout(watchdog)
  await redis?.stop()
  finish()
}

async function main (): Promise<void> {
  let settings: Settings
  try {
    settings = parseSettings(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    process.exit(1)
  }
  const fdNote = ensureDescriptors(settings)
  process.on('exit', killAllTargets)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      log(`${signal}: stopping every target`)
      killAllTargets()
      process.exit(130)
    })
  }
  const pinning = pinRunner()
  log(`pinning: ${pinning}`)
  if (settings.profile) {
    const { targets, redis } = await prepareTargets(TARGETS.filter((t) => t.kind !== 'sdk'), settings)
    await profileTargets(targets, settings, log, redis)
    await redis?.stop()
  }
  else await benchmark(settings, pinning, fdNote)
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`)
  killAllTargets()
  process.exit(1)
})
