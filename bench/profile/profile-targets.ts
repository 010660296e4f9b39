// `npm run bench -- --profile`: our plugin, bare Fastify for comparison, and our plugin on
// the Redis state when a Redis is at hand, under --cpu-prof on the call and init workloads. Profiles and their summary go under /tmp,
// never into the repository; only the measured window's samples are summarised.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import type { Settings } from '../harness/settings.js'
import { headline, runStep } from '../harness/step.js'
import { killAllTargets } from '../harness/target-process.js'
import type { BenchRedis } from '../harness/bench-redis.js'
import type { TargetInfo } from '../harness/targets.js'
import { callWorkload, initWorkload } from '../workloads/request-workloads.js'
import { differenceMarkdown, summarize, summaryMarkdown, type ProfileSummary } from './summarize.js'

const PROFILE_ROOT = join(os.tmpdir(), 'fastify-mcp-transport-bench-profiles')
const WINDOW = { warmup: 2, duration: 8, connections: 50 }
const DEADLINE_MS = 180_000
const TOP = 30

export async function profileTargets (targets: readonly TargetInfo[], settings: Settings, log: (message: string) => void, redis: BenchRedis | null): Promise<void> {
  const dir = join(PROFILE_ROOT, new Date().toISOString().replace(/[:.]/g, '-'))
  const profiled: Settings = { ...settings, runs: 1, call: WINDOW, init: WINDOW }
  const parts: string[] = [`# CPU profiles: fastify-mcp-transport (bench/server.ts) and bare Fastify, ${new Date().toISOString()}`, '']
  const watchdog = setTimeout(() => {
    log('watchdog: profiling took too long; stopping')
    killAllTargets()
    process.exit(2)
  }, DEADLINE_MS)
  for (const workload of [callWorkload, initWorkload]) {
    const profiles = new Map<string, { summary: ProfileSummary, requests: number }>()
    for (const info of targets) {
      const out = join(dir, `${workload.id}-${info.id}`)
      mkdirSync(out, { recursive: true })
      if (info.redis === true) await redis!.fresh()
      const step = await runStep(workload, info, profiled, 0, log, ['--cpu-prof', `--cpu-prof-dir=${out}`, '--cpu-prof-interval=200'])
      log(`profile ${workload.id} ${info.id}: ${headline(workload, step)}`)
      const file = readdirSync(out).find((f) => f.endsWith('.cpuprofile'))
      if (file === undefined) {
        parts.push(`### ${workload.id}, ${info.label}: no profile written (${step.error ?? 'the target did not exit cleanly'})`, '')
        continue
      }
      const from = step.metrics?.windowStartUs
      const to = step.metrics?.windowEndUs
      const window = typeof from === 'number' && typeof to === 'number' ? { from, to } : undefined
      const summary = summarize(JSON.parse(readFileSync(join(out, file), 'utf8')), TOP, window)
      const requests = window === undefined ? undefined : step.metrics?.requests ?? undefined
      if (requests !== undefined && requests !== null) profiles.set(info.kind, { summary, requests })
      parts.push(summaryMarkdown(`${workload.id}, ${info.label}: ${join(out, file)}`, summary, requests ?? undefined))
      parts.push(`Load under the profiler: ${headline(workload, step)} (profiling slows the target; not benchmark figures). ` +
        `${window === undefined ? 'Whole process lifetime.' : 'Samples of the measured window only (no start-up, warm-up or set-up).'}`, '')
    }
    const ours = profiles.get('ours')
    const limit = profiles.get('limit')
    if (ours !== undefined && limit !== undefined) {
      parts.push(differenceMarkdown(`${workload.id}: what ours spends beyond bare Fastify`, ours.summary, ours.requests, limit.summary, limit.requests, TOP))
    }
    const onRedis = profiles.get('variant')
    if (onRedis !== undefined && ours !== undefined) {
      parts.push(differenceMarkdown(`${workload.id}: what the Redis state spends beyond memory`, onRedis.summary, onRedis.requests, ours.summary, ours.requests, TOP))
    }
  }
  clearTimeout(watchdog)
  const markdown = parts.join('\n')
  writeFileSync(join(dir, 'summary.md'), markdown)
  process.stdout.write(markdown)
  log(`profiles and summary in ${dir}`)
}
