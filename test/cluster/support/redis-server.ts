// A throwaway redis-server for one test file (or one bench run): Debian's binary on a free
// loopback port, nothing written to disk, stopped in teardown and never outliving us.
// Issue 11 ("Proof"): tests start redis-server themselves with `--save '' --appendonly no`;
// outside CI a machine without it skips the cluster tests loudly, under CI=true it fails.
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import { delimiter, join } from 'node:path'

const READY_TIMEOUT_MS = 5_000
const PING_INTERVAL_MS = 20
// A port picked free can be taken again before redis binds it; a few tries settle that race.
const START_ATTEMPTS = 3
const OUTPUT_TAIL_CHARS = 4_000

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  readonly url: string
  readonly port: number
  /** The redis-server process id (changes on restart). */
  readonly pid: number
  /** The server's recent log lines, for failure messages. */
  readonly output: string
  /** Kills the server (SIGKILL: nothing to persist) and waits until it is gone. Idempotent. */
  stop: () => Promise<void>
  /** "Redis down, then back": kills the server and starts a fresh, empty one on the same port. */
  restart: () => Promise<void>
  /** "Redis slow": SIGSTOP. Connections stay open; nothing is answered until resume(). */
  pause: () => void
  /** SIGCONT after pause(). */
  resume: () => void
}

/** redis-server on PATH (or Debian's /usr/bin, /usr/sbin), or null. */
export function findRedisServer (): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin']
  for (const dir of dirs) {
    if (dir === '') continue
    const candidate = join(dir, 'redis-server')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return null
}

/** A loopback port that was free a moment ago. */
export async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return address.port
}

// Every server still running, killed synchronously when this process exits normally. The
// shell wrapper below covers the abnormal exits (SIGKILL, a crash) that skip 'exit' handlers.
const running = new Set<number>()
let exitHookInstalled = false

function killRunning (): void {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
  running.clear()
}

function redisArgs (port: number, dir: string): string[] {
  return [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--loglevel', 'warning',
    '--logfile', '',
    '--always-show-logo', 'no',
    '--databases', '1'
  ]
}

// The wrapper starts redis-server (its arguments: the binary, then the options) in the background, prints its pid, then blocks reading
// its stdin, a pipe from this process. When this process dies however it dies, the pipe
// closes, `cat` returns and the wrapper kills redis: no orphan survives a killed test run.
// Redis's own output goes to stderr, so stdout carries the pid line only.
const WRAPPER = '"$@" 1>&2 </dev/null & pid=$!; echo "$pid"; cat >/dev/null; kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; exit 0'

interface Launched {
  wrapper: ChildProcess
  pid: number
  exited: Promise<void>
}

function ping (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    let reply = ''
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      reply += chunk
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })
}

class LaunchedRedis implements RedisServer {
  readonly url: string
  readonly port: number
  private readonly binary: string
  private readonly dir: string
  private current: Launched | null = null
  private tail = ''
  private stopped = false

  constructor (binary: string, port: number) {
    this.binary = binary
    this.port = port
    this.url = `redis://127.0.0.1:${port}`
    this.dir = mkdtempSync(join(os.tmpdir(), 'mcp-redis-'))
  }

  get pid (): number {
    return this.current?.pid ?? 0
  }

  get output (): string {
    return this.tail
  }

  /** Starts redis on this.port and resolves once it answers PING. */
  async launch (): Promise<void> {
    const wrapper = spawn('sh', ['-c', WRAPPER, 'redis-wrapper', this.binary, ...redisArgs(this.port, this.dir)], { stdio: ['pipe', 'pipe', 'pipe'] })
    wrapper.stderr!.setEncoding('utf8')
    wrapper.stderr!.on('data', (chunk: string) => { this.tail = (this.tail + chunk).slice(-OUTPUT_TAIL_CHARS) })
    const exited = new Promise<void>((resolve) => wrapper.once('exit', () => resolve()))
    const pid = await new Promise<number>((resolve, reject) => {
      let out = ''
      wrapper.stdout!.setEncoding('utf8')
      wrapper.stdout!.on('data', (chunk: string) => {
        out += chunk
        const line = out.split('\n')[0]
        if (out.includes('\n')) resolve(Number(line))
      })
      wrapper.once('exit', (code) => reject(new Error(`redis-server wrapper exited (${String(code)}) before starting redis:\n${this.tail}`)))
    })
    running.add(pid)
    this.current = { wrapper, pid, exited }
    const deadline = Date.now() + READY_TIMEOUT_MS
    while (!(await ping(this.port))) {
      if (!alive(pid)) {
        await this.kill()
        throw new Error(`redis-server exited before answering PING on port ${this.port}:\n${this.tail}`)
      }
      if (Date.now() > deadline) {
        await this.kill()
        throw new Error(`redis-server did not answer PING on port ${this.port} within ${READY_TIMEOUT_MS} ms:\n${this.tail}`)
      }
      await new Promise((resolve) => setTimeout(resolve, PING_INTERVAL_MS))
    }
  }

  /** SIGKILL redis (SIGCONT first would not matter: SIGKILL ends a stopped process too). */
  private async kill (): Promise<void> {
    const current = this.current
    if (current === null) return
    this.current = null
    running.delete(current.pid)
    try {
      process.kill(current.pid, 'SIGKILL')
    } catch {}
    // Ending the wrapper's stdin lets it reap redis and exit.
    current.wrapper.stdin!.end()
    await current.exited
  }

  async stop (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    await this.kill()
    rmSync(this.dir, { recursive: true, force: true })
  }

  async restart (): Promise<void> {
    if (this.stopped) throw new Error('restart() after stop()')
    await this.kill()
    let lastError: Error | undefined
    // The port stays ours (nobody else was told about it), but the kernel may take a moment.
    for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
      try {
        await this.launch()
        return
      } catch (err) {
        lastError = err as Error
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    throw lastError!
  }

  pause (): void {
    if (this.current !== null) process.kill(this.current.pid, 'SIGSTOP')
  }

  resume (): void {
    if (this.current !== null) process.kill(this.current.pid, 'SIGCONT')
  }
}

/** Running (a zombie, which the wrapper has not reaped yet, counts as gone). Linux /proc. */
function alive (pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Starts a redis-server on a free loopback port; throws if none is installed or it fails. */
export async function startRedisServer (binary = findRedisServer()): Promise<RedisServer> {
  if (binary === null) throw new Error('redis-server not found on PATH (Debian: apt-get install redis-server)')
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.on('exit', killRunning)
  }
  let lastError: Error | undefined
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const server = new LaunchedRedis(binary, await freePort())
    try {
      await server.launch()
      return server
    } catch (err) {
      lastError = err as Error
      await server.stop()
    }
  }
  throw lastError!
}

/** The part of a tap test this module needs (kept structural so bench code can import the file). */
export interface TapLike {
  comment: (...message: unknown[]) => void
  fail: (message: string) => unknown
  plan: (n: number, comment?: string) => void
  teardown: (fn: () => unknown) => void
}

export const MISSING_REDIS = 'redis-server is not installed: the multi-instance (Redis) tests cannot run. ' +
  'Install it (Debian: apt-get install redis-server; .ci/run does this in CI).'

/**
 * The redis-server of one test file, stopped in its teardown. Without redis-server: under
 * CI=true the test fails; elsewhere the file is skipped (plan 0) with a loud comment, and
 * null is returned so the caller can return at once.
 */
export async function redisForTest (t: TapLike): Promise<RedisServer | null> {
  const binary = findRedisServer()
  if (binary === null) {
    if (process.env.CI === 'true') {
      t.fail(`${MISSING_REDIS} CI=true, so this is a failure, not a skip.`)
      return null
    }
    t.comment(`!!!!! SKIPPED: ${MISSING_REDIS} !!!!!`)
    t.plan(0, 'redis-server not installed')
    return null
  }
  const server = await startRedisServer(binary)
  t.teardown(() => server.stop())
  return server
}
