// sse-N: N sessions each holding its GET stream, then one broadcast notification to all.
// Figures: heap per idle session, memory per held stream, time for the broadcast to reach
// the last stream, and every way a stream can fail (refused, closed early, missed it).
import { randomBytes } from 'node:crypto'
import { McpClient, PROTOCOL_VERSION, inParallel, resultText } from '../harness/mcp-client.js'
import { SseFleet } from '../harness/sse-fleet.js'
import { benchStats } from './bench-stats.js'
import type { StepOutcome, Workload } from './workload.js'

const SETUP_CONCURRENCY = 64
const DELIVERY_TIMEOUT_MS = 30_000
const SETTLE_MS = 300
// Setting up 10,000 SDK sessions takes 20-40 s (each costs about 1 ms of CPU and 50 KB of
// heap), so at this size and above the SDK variants run once and only ours and the limit,
// which the goals compare, get the full median of runs. The report says so.
const SDK_SINGLE_RUN_FROM = 5000

function sleep (ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

export function sseWorkload (streams: number): Workload {
  return {
    id: `sse-${streams}`,
    title: `sse: ${streams.toLocaleString('en-US')} held GET streams, one broadcast`,
    method: `${streams.toLocaleString('en-US')} sessions (initialize each), one GET stream per session on raw sockets, then one \`broadcast\` tool call whose notification must reach every stream. Memory from bench_stats after a forced GC (--expose-gc) and VmRSS; bare Fastify has no sessions.${streams >= SDK_SINGLE_RUN_FROM ? ' The SDK variants run once at this size (setting up their sessions takes 20-40 s each).' : ''}`,
    appliesTo: () => true,
    runsFor: (info, settings) => info.kind === 'sdk' && streams >= SDK_SINGLE_RUN_FROM ? 1 : settings.runs,
    nodeArgs: ['--expose-gc'],
    // Session and stream setup through the client dominates; measured on the 2-core machine.
    estimate: (info) => info.kind === 'sdk' ? 5 + streams / 400 : info.kind === 'ours' ? 3 + streams / 1200 : 2 + streams / 4000,
    columns: [
      { metric: 'broadcastMs', label: 'broadcast to last ms', unit: 'ms', ratio: true },
      { metric: 'rssPerStream', label: 'RSS/stream', unit: 'bytes', ratio: true },
      { metric: 'heapPerStream', label: 'heap/stream', unit: 'bytes', ratio: true },
      { metric: 'heapPerSession', label: 'heap/idle session', unit: 'bytes', ratio: false },
      { metric: 'streams', label: 'streams held', unit: 'count', ratio: false },
      { metric: 'rss', label: 'RSS', unit: 'bytes', ratio: true },
      { metric: 'errors', label: 'errors', unit: 'count', ratio: false }
    ],
    key: { metric: 'broadcastMs', higherIsBetter: false },
    async run (context): Promise<StepOutcome> {
      const { target, info } = context
      const client = new McpClient(target.url, SETUP_CONCURRENCY)
      const fleet = new SseFleet(target.url)
      try {
        const control = await client.initialize()
        const before = await benchStats(client, control)
        const ids: string[] = new Array(streams)
        const setupStart = process.hrtime.bigint()
        await inParallel(streams, SETUP_CONCURRENCY, async (i) => { ids[i] = await client.initialize(false) })
        const setupSeconds = Number(process.hrtime.bigint() - setupStart) / 1e9
        const idle = await benchStats(client, control)
        const rssIdle = target.rssBytes()

        const openStart = process.hrtime.bigint()
        const opened = await fleet.open(ids, PROTOCOL_VERSION)
        const openSeconds = Number(process.hrtime.bigint() - openStart) / 1e9
        await sleep(SETTLE_MS)
        const held = await benchStats(client, control)
        const rssHeld = target.rssBytes()

        const tag = `bench-${randomBytes(6).toString('hex')}`
        fleet.expect(tag)
        const since = process.hrtime.bigint()
        const answer = await client.callTool(control, 'broadcast', { tag })
        const replyMs = Number(process.hrtime.bigint() - since) / 1e6
        const sent = (JSON.parse(resultText(answer) ?? '{"sent":-1}') as { sent: number }).sent
        const delivery = await fleet.delivered(since, DELIVERY_TIMEOUT_MS)
        const errors = opened.failed + delivery.missing + fleet.closedEarly

        const notes: string[] = []
        if (opened.failed > 0) notes.push(`${info.id}: ${opened.failed} GET streams failed to open (${JSON.stringify(opened.statuses)})`)
        if (delivery.missing > 0) notes.push(`${info.id}: ${delivery.missing} streams never saw the broadcast (server said sent=${sent})`)
        return {
          notes,
          metrics: {
            broadcastMs: delivery.lastMs,
            broadcastFirstMs: delivery.firstMs,
            broadcastReplyMs: replyMs,
            sent,
            rssPerStream: rssIdle === null || rssHeld === null ? null : (rssHeld - rssIdle) / streams,
            heapPerStream: (held.heapUsed - idle.heapUsed) / streams,
            heapPerSession: info.kind === 'limit' ? null : (idle.heapUsed - before.heapUsed) / streams,
            streams: held.streams,
            sessionsPerSecond: streams / setupSeconds,
            streamsPerSecond: streams / openSeconds,
            rss: rssHeld,
            errors
          }
        }
      } finally {
        fleet.closeAll()
        client.close()
      }
    }
  }
}
