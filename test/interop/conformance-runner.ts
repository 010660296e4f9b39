// Runs the official MCP conformance suite (@modelcontextprotocol/conformance) against a
// server URL and collects what it found. The suite needs Node >= 22 (it imports globSync
// from 'fs'), so it runs on the Node 22 binary of the `node` dev dependency while the
// server under test stays on this process's Node 20.
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const SUITE_DIR = join(ROOT, 'node_modules/@modelcontextprotocol/conformance')
const NODE_22_BIN = join(ROOT, 'node_modules/.bin')
const suitePackage = JSON.parse(readFileSync(join(SUITE_DIR, 'package.json'), 'utf8'))
const SUITE_CLI = join(SUITE_DIR, suitePackage.bin.conformance)

export const SUITE_VERSION: string = suitePackage.version

export interface Check {
  id: string
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED'
  errorMessage?: string
  details?: Record<string, unknown>
}

export interface SuiteRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  output: string
  /** The run's `Total: N passed, M failed` line. */
  summary: string
  passed: number
  failed: number
  /** Checks per scenario, from the checks.json files the suite writes with -o. */
  scenarios: Map<string, Check[]>
}

/** The scenarios a spec revision scores (`server:` list of requirements/<revision>.yaml). */
export function scoredScenarios (revision: string): string[] {
  const text = readFileSync(join(SUITE_DIR, 'requirements', `${revision}.yaml`), 'utf8')
  const section = /^server:\n((?: {2}- \S+\n)+)/m.exec(text)
  if (section === null) throw new Error(`no server section in requirements/${revision}.yaml`)
  return section[1].trim().split('\n').map((line) => line.replace(/^\s*- /, ''))
}

/** Runs `conformance server --url <url> ...args`; killed after `timeout` ms. */
export async function runConformance (url: string, args: string[], timeout = 90_000): Promise<SuiteRun> {
  const outDir = await mkdtemp(join(tmpdir(), 'mcp-conformance-'))
  try {
    const child = spawn(join(NODE_22_BIN, 'node'), [SUITE_CLI, 'server', '--url', url, ...args, '-o', outDir], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${NODE_22_BIN}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout,
      killSignal: 'SIGKILL'
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
      child.on('close', (code, sig) => resolve([code, sig]))
    })
    const total = /^Total: (\d+) passed, (\d+) failed$/m.exec(output)
    const scenarios = new Map<string, Check[]>()
    for (const entry of await readdir(outDir)) {
      const name = /^server-(.+)-\d{4}-\d{2}-\d{2}T/.exec(entry)?.[1]
      if (name === undefined) continue
      scenarios.set(name, JSON.parse(await readFile(join(outDir, entry, 'checks.json'), 'utf8')))
    }
    return {
      exitCode,
      signal,
      output,
      summary: total?.[0] ?? '(no summary line: the suite did not finish)',
      passed: total === null ? 0 : Number(total[1]),
      failed: total === null ? -1 : Number(total[2]),
      scenarios
    }
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}

/** Checks of a run that failed, as `scenario/check: message` lines. */
export function failures (run: SuiteRun): string[] {
  const out: string[] = []
  for (const [scenario, checks] of run.scenarios) {
    for (const check of checks) {
      if (check.status === 'FAILURE') out.push(`${scenario}/${check.id}: ${check.errorMessage ?? ''}`)
    }
  }
  return out
}

/** `id=STATUS` for each check of a scenario (for the test output). */
export function statuses (checks: Check[] | undefined): string {
  return (checks ?? []).map((c) => `${c.id}=${c.status}`).join(', ')
}

/**
 * The 2025-11-25 verdict: the run finished in time, exited 0, failed nothing, and every
 * scenario the revision scores ran and passed. Prints the run's summary line.
 */
export function assertScoredPassed (t: Test, run: SuiteRun, label: string): void {
  t.comment(`conformance ${SUITE_VERSION} --requirements 2025-11-25 (${label}): ${run.summary}`)
  t.equal(run.signal, null, 'the suite finished within its time bound')
  t.equal(run.exitCode, 0, 'the suite exits 0 (every scored scenario passed)')
  t.equal(run.failed, 0, 'no failed check')
  t.same(failures(run), [], 'no FAILURE in any scenario, scored or not')
  for (const scenario of scoredScenarios('2025-11-25')) {
    const checks = run.scenarios.get(scenario)
    t.ok(checks !== undefined && checks.some((c) => c.status === 'SUCCESS'), `${scenario} ran and passed`)
  }
}

/** server-sse-polling's three checks: priming event, retry field, disconnect-resume. */
export function assertPollingPassed (t: Test, checks: Check[] | undefined): void {
  t.ok(checks !== undefined, 'server-sse-polling ran')
  for (const id of ['server-sse-priming-event', 'server-sse-retry-field', 'server-sse-disconnect-resume']) {
    t.equal(checks?.find((c) => c.id === id)?.status, 'SUCCESS', `server-sse-polling: ${id}`)
  }
}
