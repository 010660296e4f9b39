// A server process started as a user starts it (fastify-cli, `npm start`), for the tests
// that need the real process: its startup, its signals, its exit.
import type { ChildProcess } from 'node:child_process'
import type { Test } from 'tap'
import { createServer } from 'node:net'
import { rawRequest } from './raw-http.js'

const STARTUP_MS = 15_000

/** A port that was free a moment ago (fastify-cli treats --port 0 as "use 3000"). */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address')
  return address.port
}

/** True once the child has exited (false if it is still running after `timeoutMs`). */
export async function exited (child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

/** Polls GET /health until the server answers, the child dies, or the time is up. */
export async function waitForHealth (child: ChildProcess, base: URL, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_MS
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} before listening:\n${output()}`)
    try {
      const res = await rawRequest(new URL('/health', base))
      await res.body
      if (res.status === 200) return
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`the server did not listen within ${STARTUP_MS} ms:\n${output()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * Follows a server process started for a test: collects its output, kills it at teardown,
 * and resolves when it answers /health on `port`. `group`: the child was spawned detached
 * (its own process group), and the whole group is killed, so nothing it started outlives
 * the test. Never for a child in the test's own group: that would kill the test.
 */
export async function serverProcess (t: Test, child: ChildProcess, port: number, group = false): Promise<{ base: URL, output: () => string }> {
  let output = ''
  child.stdout?.on('data', (chunk) => { output += String(chunk) })
  child.stderr?.on('data', (chunk) => { output += String(chunk) })
  t.teardown(async () => {
    if (group) {
      try {
        process.kill(-(child.pid as number), 'SIGKILL')
      } catch {
        // The whole group is gone already.
      }
    } else if (!(await exited(child, 0))) {
      child.kill('SIGKILL')
    }
    await exited(child, 5000)
  })
  const base = new URL(`http://127.0.0.1:${port}`)
  await waitForHealth(child, base, () => output)
  return { base, output: () => output }
}
