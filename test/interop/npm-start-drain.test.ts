// Issue 13 #5: SIGTERM to `npm start` while ten 1-second tool calls streamed answered 0 of
// 10: fastify-cli's close-with-grace gave up after its 500 ms --close-grace-delay, long
// before the plugin's shutdownTimeout (5 s) drained anything (and without `exec` in the
// script the signal stopped at the shell, leaving the server running). The real `npm start`
// process: every call that fits in shutdownTimeout is answered, the GET stream ends with a
// `retry`, a call that does not fit is cut at the bound, and the exit follows within
// shutdownTimeout plus a small margin.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { ACCEPT_BOTH, initializeBody, parseSse, sseMessages } from '../helpers.js'
import { DEFAULT_SHUTDOWN_TIMEOUT } from '../../lib/options.js'
import { rawRequest } from './support/raw-http.js'
import { exited, freePort, serverProcess } from './support/cli-process.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
// Closing the sockets and the process after the drain: under a second on an idle machine,
// more on a loaded one; npm start's --close-grace-delay (7000) leaves 2 s past the drain.
const EXIT_MARGIN_MS = 2000
const CALLS = 10

/** `npm start` itself: through npm and its shell, as a user or a process manager runs it. */
function npmStart (port: number) {
  // Under `npm test`, npm_execpath is the npm that runs us; --ignore-scripts skips the
  // prestart build (pretest built dist already).
  const npm = process.env.npm_execpath
  const [command, args] = npm !== undefined && npm.endsWith('.js')
    ? [process.execPath, [npm, 'start', '--ignore-scripts']]
    : ['npm', ['start', '--ignore-scripts']]
  return spawn(command, args, {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so the teardown also reaches a server the signal missed (the
    // old script left one running after npm and its shell were gone).
    detached: true
  })
}

/** A promise's value, or 'timeout' after `ms`: a missed shutdown fails an assertion, not tap's timer. */
async function within<T> (promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), ms) })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

test('SIGTERM to npm start answers the in-flight calls, ends the GET stream with retry, exits after the drain', async (t) => {
  if (!existsSync(`${root}dist/examples/app.js`)) {
    t.fail('dist/examples/app.js is missing: run `npm run build` first (npm test does it before the tests)')
    return
  }
  const port = await freePort()
  const child = npmStart(port)
  const { base, output } = await serverProcess(t, child, port, true)

  const mcp = new URL('/mcp', base)
  const headers = { 'content-type': 'application/json', accept: ACCEPT_BOTH }
  const init = await rawRequest(mcp, { method: 'POST', headers, body: JSON.stringify(initializeBody()) })
  await init.body
  const session = { ...headers, 'mcp-session-id': init.headers['mcp-session-id'] as string, 'mcp-protocol-version': '2025-11-25' }
  await (await rawRequest(mcp, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).body
  const get = await rawRequest(mcp, { headers: { accept: 'text/event-stream', 'mcp-session-id': session['mcp-session-id'] } })
  t.equal(get.status, 200)

  const call = (id: number, n: number, delayMs: number) => rawRequest(mcp, {
    method: 'POST',
    headers: session,
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'countdown', arguments: { n, delayMs }, _meta: { progressToken: id } } })
  })
  // Ten calls of 1 s (5 steps of 200 ms), and one of 10 s that cannot fit in shutdownTimeout.
  const short = await Promise.all(Array.from({ length: CALLS }, (_, i) => call(i + 10, 5, 200)))
  const long = await call(99, 10, 1000)
  // Each head arrived with its first progress event: all eleven are streaming now.
  for (const res of [...short, long]) t.equal(res.headers['content-type'], 'text/event-stream', 'the call is streaming')

  const signalled = Date.now()
  child.kill('SIGTERM')
  const bound = DEFAULT_SHUTDOWN_TIMEOUT + 5000
  const answers = await Promise.all(short.map(async (res) => {
    const body = await within(res.body, bound)
    return body === 'timeout' ? undefined : sseMessages(body.text).find((m) => 'result' in m)
  }))
  const answered = answers.filter((m) => m?.result?.content?.[0]?.text === 'Liftoff!').length
  t.equal(answered, CALLS, `every call that fits in shutdownTimeout was answered (${answered} of ${CALLS})`)

  const getBody = await within(get.body, bound)
  t.not(getBody, 'timeout', 'the server ended the GET stream')
  if (getBody !== 'timeout') {
    t.equal(getBody.ended, 'done', 'ended cleanly')
    t.ok(parseSse(getBody.text).some((event) => event.retry !== undefined), 'with a retry field, so the client reconnects')
  }

  t.ok(await exited(child, DEFAULT_SHUTDOWN_TIMEOUT + 5000), 'npm start exited')
  const exitMs = Date.now() - signalled
  t.equal(child.exitCode, 0, `a clean exit, not close-with-grace giving up:\n${output().slice(-2000)}`)
  t.ok(exitMs >= DEFAULT_SHUTDOWN_TIMEOUT - 250, `the drain ran to shutdownTimeout for the long call (${exitMs} ms)`)
  t.ok(exitMs <= DEFAULT_SHUTDOWN_TIMEOUT + EXIT_MARGIN_MS, `exit within shutdownTimeout + ${EXIT_MARGIN_MS} ms (${exitMs} ms)`)
  const longBody = await within(long.body, 1000)
  t.ok(longBody !== 'timeout' && !longBody.text.includes('"progress":10'), 'the 10 s call was cut at the bound, not run to its end')
  const server = await rawRequest(new URL('/health', base)).then(() => 'answering', () => 'gone')
  t.equal(server, 'gone', 'no server left behind the npm process')
})
