// call, init, large and progress: the same body for every target, checked before loading.
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { initializeBody, messagesOf, postHeaders, resultText, toolCallBody, type HttpAnswer } from '../harness/mcp-client.js'
import { LOAD_COLUMNS, loadWorkload } from './load-workload.js'
import type { Metrics } from './workload.js'

const MiB = 1024 * 1024
const LARGE_TEXT_CHARS = 1_000_000
const PROGRESS_STEPS = 10
const EARLY_ANSWER_MS = 200

function status200 (answer: HttpAnswer): string | null {
  return answer.status === 200 ? null : `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`
}

export const callWorkload = loadWorkload({
  id: 'call',
  title: 'call: tools/call echo on one initialized session',
  method: 'POST tools/call `echo {text:"hello"}` on one initialized session; 50 connections (bare: the same body).',
  window: (s) => s.call,
  async prepare (client) {
    const session = await client.initialize()
    return {
      headers: postHeaders(session),
      body: toolCallBody(1, 'echo', { text: 'hello' }),
      check: (answer) => status200(answer) ?? (resultText(answer) === 'hello' ? null : `echo answered ${answer.body.slice(0, 200)}`)
    }
  }
})

export const initWorkload = loadWorkload({
  id: 'init',
  title: 'init: a new session per request',
  method: 'POST initialize without a session id: every request creates a session (never closed); 50 connections.',
  window: (s) => s.init,
  async prepare () {
    return {
      headers: postHeaders(),
      body: initializeBody(1),
      check: (answer) => status200(answer) ?? (typeof answer.headers['mcp-session-id'] === 'string' ? null : 'no Mcp-Session-Id header')
    }
  }
})

/** A tools/call `length` body of exactly `bytes` bytes. */
function bodyOfSize (bytes: number): string {
  const empty = toolCallBody(1, 'length', { text: '' })
  return toolCallBody(1, 'length', { text: 'x'.repeat(bytes - Buffer.byteLength(empty)) })
}

/**
 * One POST on a fresh raw connection, reporting the status line. The head goes first and
 * the body only if no answer came within EARLY_ANSWER_MS: a server that refuses on
 * Content-Length answers at once, and writing megabytes into a socket it is closing would
 * end in a reset that hides its answer.
 */
function postOnce (url: string, headers: Record<string, string>, body: string): Promise<string> {
  const target = new URL(url)
  const payload = Buffer.from(body)
  const head = [`POST ${target.pathname} HTTP/1.1`, `Host: ${target.host}`, `Content-Length: ${payload.length}`, 'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n') + '\r\n\r\n'
  return new Promise((resolve) => {
    let received = ''
    const socket = net.connect({ host: target.hostname, port: Number(target.port) })
    const finish = (outcome: string): void => {
      clearTimeout(timer)
      clearTimeout(early)
      socket.destroy()
      resolve(outcome)
    }
    const timer = setTimeout(() => finish('timeout'), 20_000)
    let early: NodeJS.Timeout | undefined
    socket.on('connect', () => {
      socket.write(head)
      early = setTimeout(() => socket.write(payload), EARLY_ANSWER_MS)
    })
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      received += chunk
      const line = /^HTTP\/1\.1 (\d{3})/.exec(received)
      if (line !== null) finish(line[1])
    })
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message))
    socket.on('close', () => finish('closed'))
  })
}

/** HTTP status as a number for the metrics table; -1 when the connection failed instead. */
function statusNumber (status: string): number {
  return /^\d+$/.test(status) ? Number(status) : -1
}

export const largeWorkload = loadWorkload({
  id: 'large',
  title: 'large: 1 MB arguments',
  method: 'POST tools/call `length {text}` with a 1,000,000-character argument (the tool answers the length, so the response is small); 10 connections. Run 0 also sends 3.9 MiB (must be accepted) and 4.1 MiB (must be refused with 413).',
  window: (s) => s.large,
  columns: [...LOAD_COLUMNS, { metric: 'status3_9MiB', label: '3.9 MiB', unit: 'count', ratio: false }, { metric: 'status4_1MiB', label: '4.1 MiB', unit: 'count', ratio: false }],
  async prepare (client) {
    const session = await client.initialize()
    const headers = postHeaders(session)
    return {
      headers,
      body: toolCallBody(1, 'length', { text: 'x'.repeat(LARGE_TEXT_CHARS) }),
      check: (answer) => status200(answer) ?? (resultText(answer) === String(LARGE_TEXT_CHARS) ? null : `length answered ${answer.body.slice(0, 200)}`),
      async extra (): Promise<Metrics> {
        const accepted = await postOnce(client.url.href, headers, bodyOfSize(Math.floor(3.9 * MiB)))
        const refused = await postOnce(client.url.href, headers, bodyOfSize(Math.ceil(4.1 * MiB)))
        return { status3_9MiB: statusNumber(accepted), status4_1MiB: statusNumber(refused) }
      }
    }
  }
})

export const progressWorkload = loadWorkload({
  id: 'progress',
  title: 'progress: 10 progress notifications, then the result, on the POST SSE response',
  method: 'POST tools/call `progress {steps:10}` with a progressToken: the answer is an SSE stream of 10 notifications/progress and the result; 50 connections.',
  window: (s) => s.progress,
  async prepare (client) {
    const session = await client.initialize()
    const token = `p-${randomBytes(4).toString('hex')}`
    return {
      headers: postHeaders(session),
      body: toolCallBody(1, 'progress', { steps: PROGRESS_STEPS }, token),
      check (answer) {
        const problem = status200(answer)
        if (problem !== null) return problem
        const messages = messagesOf(answer)
        const progress = messages.filter((m) => m.method === 'notifications/progress' && m.params?.progressToken === token)
        const result = messages.find((m) => m.id !== undefined)
        if (progress.length !== PROGRESS_STEPS) return `${progress.length} progress notifications instead of ${PROGRESS_STEPS}`
        return result?.result?.content?.[0]?.text === 'done' ? null : 'no result after the progress notifications'
      }
    }
  }
})
