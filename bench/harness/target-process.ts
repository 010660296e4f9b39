// Starting and stopping target processes. Every child is tracked so that nothing outlives
// the runner: a normal stop is SIGTERM then SIGKILL, and the runner's exit kills the rest.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import os from 'node:os'
import { READY_PREFIX } from '../targets/lifecycle.js'
import { cpuSeconds, rssBytes } from './proc-stats.js'

const READY_TIMEOUT_MS = 15_000
const STOP_GRACE_MS = 3_000
// The load generator (this process) runs on CPU 0, targets on CPU 1.
const RUNNER_CPU = '0'
const TARGET_CPU = '1'

const live = new Set<ChildProcess>()

/** Kills every target still running. Synchronous, so it is safe in an 'exit' handler. */
export function killAllTargets (): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL')
    } catch {}
  }
  live.clear()
}

function findTaskset (): string | null {
  for (const path of ['/usr/bin/taskset', '/bin/taskset']) if (existsSync(path)) return path
  return null
}

const taskset = findTaskset()
const canPin = taskset !== null && os.cpus().length >= 2

/**
 * Pins this process (every thread, -a) to CPU 0 so the load generator never competes with
 * the target for its core. Returns a sentence for the report saying what was done.
 */
export function pinRunner (): string {
  if (!canPin) return `not pinned (${taskset === null ? 'taskset not found' : 'fewer than 2 CPUs'})`
  try {
    execFileSync(taskset!, ['-a', '-c', '-p', RUNNER_CPU, String(process.pid)], { stdio: 'ignore' })
    return `load generator (autocannon, in the runner) on CPU ${RUNNER_CPU}, each target on CPU ${TARGET_CPU} (taskset)`
  } catch (err) {
    return `not pinned (taskset failed: ${(err as Error).message})`
  }
}

export interface StartOptions {
  script: string
  nodeArgs?: string[]
  env?: Record<string, string>
}

export class TargetProcess {
  readonly child: ChildProcess
  readonly pid: number
  readonly url: string
  private stderrTail = ''

  private constructor (child: ChildProcess, url: string) {
    this.child = child
    this.pid = child.pid!
    this.url = url
  }

  static async start (options: StartOptions): Promise<TargetProcess> {
    const nodeArgs = [...(options.nodeArgs ?? []), options.script]
    // taskset execs node in place, so the child's pid is node's pid (/proc figures are node's).
    const child = canPin
      ? spawn(taskset!, ['-c', TARGET_CPU, process.execPath, ...nodeArgs], { env: { ...process.env, PORT: '0', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, nodeArgs, { env: { ...process.env, PORT: '0', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    live.add(child)
    child.once('exit', () => live.delete(child))
    let stderr = ''
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-4000) })
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => fail(new Error(`${options.script} did not report READY within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS)
      function fail (err: Error): void {
        clearTimeout(timer)
        child.kill('SIGKILL')
        reject(new Error(`${err.message}\n${stderr}`))
      }
      child.stdout!.setEncoding('utf8')
      child.stdout!.on('data', function onData (chunk: string) {
        out += chunk
        const line = out.split('\n').find((l) => l.startsWith(READY_PREFIX))
        if (line === undefined) return
        clearTimeout(timer)
        // Keep draining stdout so a chatty target can never block on a full pipe.
        child.stdout!.off('data', onData)
        child.stdout!.resume()
        resolve(line.slice(READY_PREFIX.length).trim())
      })
      child.once('exit', (code, signal) => fail(new Error(`${options.script} exited early (${code ?? signal})`)))
    })
    const target = new TargetProcess(child, url)
    child.stderr!.on('data', (chunk: string) => { target.stderrTail = (target.stderrTail + chunk).slice(-4000) })
    return target
  }

  get alive (): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  cpuSeconds (): number | null {
    return cpuSeconds(this.pid)
  }

  rssBytes (): number | null {
    return rssBytes(this.pid)
  }

  get stderr (): string {
    return this.stderrTail
  }

  /** SIGTERM (a clean exit writes --cpu-prof output), then SIGKILL after a grace period. */
  async stop (): Promise<void> {
    if (!this.alive) {
      live.delete(this.child)
      return
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.child.kill('SIGKILL') }, STOP_GRACE_MS)
      this.child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      this.child.kill('SIGTERM')
    })
    live.delete(this.child)
  }
}
