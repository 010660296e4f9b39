// `npm run bench:cluster`: issue 11's cross-instance figures, on one Redis and two instances
// (A and B, examples/cluster-app.ts processes) on this machine:
//   1. delivery: a session created on A, its GET stream held by B; notifications sent on A one
//      at a time (each after the previous one arrived on B): p50/p99 of send → arrival;
//   2. resume replay: that stream cut, then resumed on A with Last-Event-ID: events per second
//      replayed from Redis;
//   3. Redis memory per idle session: INFO memory before and after K initialized sessions,
//      and DBSIZE back where it started once they are deleted.
// Bounded: every wait has a deadline and a watchdog ends the run (printing what it has).
// Options: --sends N (default 1000), --replay N (events replayed, default 500),
// --sessions K (default 1000), --budget SECONDS (default 120). REDIS_URL: use that Redis
// (never flushed) instead of starting one.
import { Redis } from 'ioredis'
import { startInstances, type Instance } from '../test/cluster/support/instances.js'
import { benchRedis } from './harness/bench-redis.js'
import { inParallel, McpClient, PROTOCOL_VERSION } from './harness/mcp-client.js'
import { listen, type ArrivedEvent, type SseListener } from './harness/sse-listener.js'

const ARRIVAL_TIMEOUT_MS = 2_000
const MAX_LOST = 10
const WARMUP_SENDS = 50
const SESSION_CONCURRENCY = 16

interface Options { sends: number, replay: number, sessions: number, budget: number }

function parseOptions (argv: string[]): Options {
  const options: Options = { sends: 1000, replay: 500, sessions: 1000, budget: 120 }
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '') as keyof Options
    const value = Number(argv[++i])
    if (!(name in options) || !Number.isFinite(value) || value <= 0) {
      throw new Error(`usage: cluster-latency [--sends N] [--replay N] [--sessions K] [--budget SECONDS] (got ${argv[i - 1]} ${String(argv[i])})`)
    }
    options[name] = Math.round(value)
  }
  return options
}

const results: Array<[string, string]> = []
const notes: string[] = []
const startedAt = Date.now()

function log (message: string): void {
  process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${message}\n`)
}

function report (): void {
  const lines = ['| figure | value |', '| --- | ---: |', ...results.map(([k, v]) => `| ${k} | ${v} |`)]
  process.stdout.write(`\n# Cross-instance figures (issue 11), ${new Date().toISOString()}\n\n${lines.join('\n')}\n`)
  if (notes.length > 0) process.stdout.write(`\n${notes.map((n) => `- ${n}`).join('\n')}\n`)
}

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

const ms = (ns: bigint | number): number => Number(ns) / 1e6

async function post (url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (res.status !== 200) throw new Error(`POST ${url}: HTTP ${res.status} ${await res.text()}`)
  return res.json()
}

/** Resolves with the first event `match` accepts from now on, or null after the timeout. */
function nextMatching (stream: SseListener, match: (event: ArrivedEvent) => boolean, timeoutMs = ARRIVAL_TIMEOUT_MS): Promise<ArrivedEvent | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stream.onEvent = null
      resolve(null)
    }, timeoutMs)
    stream.onEvent = (event) => {
      if (!match(event)) return
      clearTimeout(timer)
      stream.onEvent = null
      resolve(event)
    }
  })
}

function seqOf (event: ArrivedEvent): number | undefined {
  if (event.data === '') return undefined
  const message = JSON.parse(event.data) as { method?: string, params?: { data?: { seq?: number } } }
  return message.method === 'notifications/message' ? message.params?.data?.seq : undefined
}

function streamHeaders (sessionId: string, lastEventId?: string): Record<string, string> {
  const headers: Record<string, string> = { 'mcp-session-id': sessionId, 'mcp-protocol-version': PROTOCOL_VERSION }
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId
  return headers
}

/** Phase 1: notifications sent on A, each awaited on B's GET stream. Returns the stream. */
async function delivery (a: Instance, b: Instance, sessionId: string, sends: number): Promise<SseListener> {
  const stream = await listen(`${b.url}/mcp`, streamHeaders(sessionId))
  if (stream.status !== 200) throw new Error(`GET stream on B: HTTP ${stream.status}`)
  const send = (seq: number): Promise<unknown> => post(`${a.url}/_test/notify`, {
    sessionId, method: 'notifications/message', params: { level: 'info', data: { seq } }, stamp: true
  })
  const clientSide: number[] = []
  const stamped: number[] = []
  let lost = 0
  for (let seq = -WARMUP_SENDS; seq < sends; seq++) {
    const arrival = nextMatching(stream, (event) => seqOf(event) === seq)
    const before = process.hrtime.bigint()
    await send(seq)
    const event = await arrival
    if (event === null) {
      if (++lost > MAX_LOST) throw new Error(`more than ${MAX_LOST} notifications did not arrive on B within ${ARRIVAL_TIMEOUT_MS} ms`)
      continue
    }
    if (seq < 0) continue
    clientSide.push(ms(event.at - before))
    const sentAt = (JSON.parse(event.data) as { params: { sentAt?: string } }).params.sentAt
    if (sentAt !== undefined) stamped.push(ms(event.at - BigInt(sentAt)))
  }
  const byValue = (list: number[]): number[] => [...list].sort((x, y) => x - y)
  const s = byValue(stamped)
  const c = byValue(clientSide)
  results.push(['delivery A → B: notifications measured', `${s.length} (after ${WARMUP_SENDS} warm-up), ${lost} lost`])
  results.push(['delivery A → B p50 (stamped on A just before notify → read on B)', `${percentile(s, 0.5).toFixed(3)} ms`])
  results.push(['delivery A → B p99 (same)', `${percentile(s, 0.99).toFixed(3)} ms`])
  results.push(['p50 / p99 including the admin POST to A', `${percentile(c, 0.5).toFixed(3)} / ${percentile(c, 0.99).toFixed(3)} ms`])
  return stream
}

/** Phase 2: B's stream cut; resumed on A after the last `replay` events. */
async function replay (a: Instance, sessionId: string, held: SseListener, count: number): Promise<void> {
  const withIds = held.events.filter((e) => e.id !== undefined && e.id !== '')
  held.close()
  if (withIds.length < 2) throw new Error('the GET stream carried no event ids: is resumability on?')
  const n = Math.min(count, withIds.length - 1)
  const from = withIds[withIds.length - 1 - n].id!
  const lastId = withIds[withIds.length - 1].id!
  const started = process.hrtime.bigint()
  const resumed = await listen(`${a.url}/mcp`, streamHeaders(sessionId, from))
  if (resumed.status !== 200) {
    results.push(['resume replay', `HTTP ${resumed.status} for Last-Event-ID ${from} (${n} events back)`])
    resumed.close()
    return
  }
  const last = resumed.events.find((e) => e.id === lastId) ?? await nextMatching(resumed, (e) => e.id === lastId, 10_000)
  resumed.close()
  if (last === null) {
    results.push(['resume replay', `the last event (${lastId}) did not arrive within 10 s; ${resumed.events.length} events did`])
    return
  }
  const replayed = resumed.events.filter((e) => e.data !== '').length
  const seconds = Number(last.at - started) / 1e9
  results.push(['resume on A of the stream held by B: events replayed', `${replayed} (asked: ${n})`])
  results.push(['resume replay time (GET sent → last replayed event)', `${(seconds * 1000).toFixed(2)} ms`])
  results.push(['resume replay rate', `${Math.round(replayed / seconds).toLocaleString('en-US')} events/s`])
}

function usedMemory (info: string): number {
  const match = /^used_memory:(\d+)/m.exec(info)
  if (match === null) throw new Error('INFO memory has no used_memory')
  return Number(match[1])
}

/** Phase 3: Redis memory per idle session, and the keys gone once the sessions are. */
async function idleSessions (instances: Instance[], redisUrl: string, count: number): Promise<void> {
  const redis = new Redis(redisUrl)
  try {
    const clients = instances.map((i) => new McpClient(`${i.url}/mcp`, SESSION_CONCURRENCY))
    const keysBefore = await redis.dbsize()
    const before = usedMemory(await redis.info('memory'))
    const ids: string[] = new Array(count)
    await inParallel(count, SESSION_CONCURRENCY, async (i) => { ids[i] = await clients[i % clients.length].initialize() })
    const after = usedMemory(await redis.info('memory'))
    const keysAfter = await redis.dbsize()
    results.push(['Redis used_memory per idle session', `${Math.round((after - before) / count).toLocaleString('en-US')} B (${count} sessions, INFO memory)`])
    results.push(['Redis keys per idle session', ((keysAfter - keysBefore) / count).toFixed(2)])
    // Deleted on the other instance than the one that created them: no affinity either way.
    await inParallel(count, SESSION_CONCURRENCY, async (i) => {
      const status = await clients[(i + 1) % clients.length].deleteSession(ids[i])
      if (status !== 200 && status !== 204) throw new Error(`DELETE answered ${status}`)
    })
    let keysEnd = await redis.dbsize()
    const deadline = Date.now() + 2000
    while (keysEnd > keysBefore && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      keysEnd = await redis.dbsize()
    }
    results.push(['DBSIZE before / with the sessions / after deleting them', `${keysBefore} / ${keysAfter} / ${keysEnd}`])
    for (const client of clients) client.close()
  } finally {
    redis.disconnect()
  }
}

async function main (): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const watchdog = setTimeout(() => {
    notes.push(`stopped by the watchdog after ${options.budget} s`)
    report()
    process.exit(2)
  }, options.budget * 1000)
  watchdog.unref()
  const redis = await benchRedis()
  if (typeof redis === 'string') throw new Error(redis)
  log(`redis: ${redis.description}`)
  notes.push(`Redis: ${redis.description}`)
  const instances = await startInstances(2, { redisUrl: redis.url, app: 'test' })
  const [a, b] = instances
  log(`instances A ${a.url} (pid ${a.pid}), B ${b.url} (pid ${b.pid})`)
  try {
    const client = new McpClient(`${a.url}/mcp`)
    const sessionId = await client.initialize()
    log(`session ${sessionId} created on A; GET stream on B; ${options.sends} sends`)
    const held = await delivery(a, b, sessionId, options.sends)
    log('replay')
    await replay(a, sessionId, held, options.replay)
    await client.deleteSession(sessionId)
    client.close()
    log(`${options.sessions} idle sessions`)
    await idleSessions(instances, redis.url, options.sessions)
  } finally {
    await Promise.all(instances.map((i) => i.stop()))
    await redis.stop()
    clearTimeout(watchdog)
  }
  notes.push('Timing: process.hrtime (CLOCK_MONOTONIC, shared by every process of the machine); A stamps params.sentAt just before app.mcpSessions.notify, this process stamps each event when it is read from B\'s socket.')
  report()
}

main().catch((err: unknown) => {
  notes.push(`failed: ${(err as Error).message.split('\n')[0]}`)
  report()
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
