// App instances as child processes (examples/cluster-app.ts, compiled), so that a test can
// SIGKILL one mid-stream (issue 11 "Proof": instances in separate processes). Each child is
// tracked and killed when this process exits; with EXIT_WITH_PARENT=1 a child also ends when
// its stdin (a pipe from us) closes, which covers a parent that was itself SIGKILLed.
import { spawn, type ChildProcess } from 'node:child_process'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// This file runs from test/cluster/support/ (tests) or, compiled for the bench, from
// dist/test/cluster/support/: either way the repository's dist/ is found from here.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const DIST = basename(ROOT) === 'dist' ? ROOT : join(ROOT, 'dist')
/** The compiled cluster app (`npm run build`, which npm test runs first). */
export const CLUSTER_APP = join(DIST, 'examples', 'cluster-app.js')
// Seen here: over 30 s for one start while six agents shared the two cores (load average 28).
const READY_TIMEOUT_MS = 60_000
/**
 * The time a cluster test file asks tap for (tap.setTimeout): each instance is a Node process
 * importing the whole package, and on the shared 2-core machine one took 12 s to start
 * (load average 24); tap's default of 60 s per file is not enough for a few of them.
 */
export const CLUSTER_FILE_TIMEOUT_MS = 180_000
const STOP_GRACE_MS = 5_000
const STDERR_TAIL_CHARS = 8_000
const LISTENING = /^listening (\d+)$/m

export interface InstanceOptions {
  /** REDIS_URL of the shared state. */
  redisUrl?: string
  /** APP: 'test' (default), 'conformance' or 'demo'. */
  app?: string
  /** Extra environment (LOG_LEVEL, ...). */
  env?: Record<string, string>
  /** The module to run; default the compiled cluster app. */
  script?: string
  /** Node flags before the script (e.g. a TypeScript loader for a .ts stand-in). */
  nodeArgs?: string[]
  /** A name for messages ('A', 'B', ...). */
  name?: string
}

/**
 * The environment without tap's per-process instrumentation (its NODE_OPTIONS import and
 * _TAPJS_* variables): an instance runs as in production, and starts in half the time.
 */
export function plainEnv (): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {}
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('_TAPJS_')) env[name] = value
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((o) => o !== '' && !o.includes('@tapjs')).join(' ')
  if (nodeOptions === '') delete env.NODE_OPTIONS
  else env.NODE_OPTIONS = nodeOptions
  return env
}

const live = new Set<ChildProcess>()
let exitHookInstalled = false

function killLive (): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL')
    } catch {}
  }
  live.clear()
}

export class Instance {
  readonly name: string
  readonly port: number
  /** http://127.0.0.1:<port> (no path: add '/mcp', '/sse', '/health', '/_test/...'). */
  readonly url: string
  readonly child: ChildProcess
  /** Resolves with the exit code or signal once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals | null>
  private readonly stderrTail: { text: string }

  private constructor (name: string, port: number, child: ChildProcess, stderrTail: { text: string }, exited: Promise<number | NodeJS.Signals | null>) {
    this.name = name
    this.port = port
    this.url = `http://127.0.0.1:${port}`
    this.child = child
    this.stderrTail = stderrTail
    this.exited = exited
  }

  static async start (options: InstanceOptions = {}): Promise<Instance> {
    if (!exitHookInstalled) {
      exitHookInstalled = true
      process.on('exit', killLive)
    }
    const name = options.name ?? 'instance'
    const script = options.script ?? CLUSTER_APP
    const env: Record<string, string | undefined> = { ...plainEnv(), PORT: '0', HOST: '127.0.0.1', EXIT_WITH_PARENT: '1', ...options.env }
    if (options.redisUrl !== undefined) env.REDIS_URL = options.redisUrl
    if (options.app !== undefined) env.APP = options.app
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    live.add(child)
    const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child)
        resolve(code ?? signal)
      })
    })
    const stderrTail = { text: '' }
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => { stderrTail.text = (stderrTail.text + chunk).slice(-STDERR_TAIL_CHARS) })
    const port = await new Promise<number>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => fail(`did not print "listening <port>" within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS)
      function fail (why: string): void {
        clearTimeout(timer)
        child.kill('SIGKILL')
        reject(new Error(`${name} (${script}) ${why}\n--- its stderr ---\n${stderrTail.text}`))
      }
      child.stdout!.setEncoding('utf8')
      child.stdout!.on('data', function onData (chunk: string) {
        out += chunk
        const match = LISTENING.exec(out)
        if (match === null) return
        clearTimeout(timer)
        child.stdout!.off('data', onData)
        // Keep draining: a child that writes more must never block on a full pipe.
        child.stdout!.resume()
        resolve(Number(match[1]))
      })
      void exited.then((how) => fail(`exited (${String(how)}) before listening`))
    })
    return new Instance(name, port, child, stderrTail, exited)
  }

  get pid (): number {
    return this.child.pid!
  }

  get alive (): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  /** The child's recent stderr (its log), for failure messages. */
  get stderr (): string {
    return this.stderrTail.text
  }

  /** Sends a signal (SIGKILL: "the instance died"; SIGSTOP/SIGCONT: "the instance hangs"). */
  kill (signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.alive) this.child.kill(signal)
  }

  /** SIGTERM (a graceful app.close()), SIGKILL after a grace period; resolves once it exited. */
  async stop (): Promise<number | NodeJS.Signals | null> {
    if (this.alive) {
      const timer = setTimeout(() => this.kill('SIGKILL'), STOP_GRACE_MS)
      // A stopped (SIGSTOP) child would not see SIGTERM until it runs again.
      this.child.kill('SIGCONT')
      this.child.kill('SIGTERM')
      await this.exited
      clearTimeout(timer)
    }
    return this.exited
  }
}

/** The part of a tap test used here (structural, so bench code can import this file too). */
export interface Teardown {
  teardown: (fn: () => unknown) => void
}

/**
 * Starts `count` instances (named A, B, C, ...) in parallel; with a test, they are stopped in
 * its teardown (and killed, whatever happens, when this process exits).
 */
export async function startInstances (count: number, options: InstanceOptions = {}, t?: Teardown): Promise<Instance[]> {
  const settled = await Promise.allSettled(Array.from({ length: count }, (_, i) =>
    Instance.start({ ...options, name: options.name === undefined ? String.fromCharCode(65 + i) : `${options.name}${i}` })))
  const started = settled.flatMap((s) => s.status === 'fulfilled' ? [s.value] : [])
  const stopAll = async (): Promise<void> => { await Promise.all(started.map((instance) => instance.stop())) }
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed !== undefined) {
    await stopAll()
    throw failed.reason
  }
  t?.teardown(stopAll)
  return started
}
