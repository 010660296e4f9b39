// The real clients through a strict round-robin front over two instances on one Redis (issue
// 11 "Proof"): every request goes to the other instance than the one before, with no
// affinity. The official SDK client (Streamable HTTP and HTTP+SSE) and the conformance suite
// at both requirement sets give the same results as against one instance.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import tap, { test } from 'tap'
import { failures, runConformance, scoredScenarios } from '../interop/conformance-runner.js'
import { connectSdkClient } from '../interop/support/sdk-client.js'
import { CLUSTER_FILE_TIMEOUT_MS, startInstances } from './support/instances.js'
import { redisForTest } from './support/redis-server.js'
import { startRoundRobin } from './support/round-robin.js'

tap.setTimeout(Math.max(CLUSTER_FILE_TIMEOUT_MS, 400_000))
const redis = await redisForTest(tap)

if (redis !== null) {
  test('the SDK client over Streamable HTTP, every request on the other instance', async (t) => {
    const instances = await startInstances(2, { redisUrl: redis.url }, t)
    const front = await startRoundRobin(instances.map((i) => i.url))
    t.teardown(() => front.close())
    const sdk = await connectSdkClient(new URL(`${front.url}/mcp`))
    t.teardown(() => sdk.close())
    const tools = await sdk.client.listTools()
    t.ok(tools.tools.some((tool) => tool.name === 'echo'))
    for (let i = 0; i < 6; i++) {
      const result = await sdk.client.callTool({ name: 'echo', arguments: { text: `call ${i}` } })
      t.same(result.content, [{ type: 'text', text: `call ${i}` }])
    }
    const progress: number[] = []
    await sdk.client.callTool({ name: 'progress', arguments: { steps: 3 } }, undefined, { onprogress: (p) => progress.push(p.progress) })
    t.same(progress, [1, 2, 3], 'progress over the POST stream')
    t.ok(front.counts.every((n) => n > 3), `both instances served (${front.counts.join(', ')})`)
    t.same(sdk.errors, [])
  })

  test('the SDK client over HTTP+SSE: the stream on one instance, the POSTs on the other', async (t) => {
    const instances = await startInstances(2, { redisUrl: redis.url }, t)
    const front = await startRoundRobin(instances.map((i) => i.url))
    t.teardown(() => front.close())
    const client = new Client({ name: 'sse-through-front', version: '1.0.0' })
    await client.connect(new SSEClientTransport(new URL(`${front.url}/sse`)))
    t.teardown(() => client.close())
    for (let i = 0; i < 4; i++) {
      const result = await client.callTool({ name: 'echo', arguments: { text: `sse ${i}` } })
      t.same(result.content, [{ type: 'text', text: `sse ${i}` }])
    }
  })

  for (const requirements of ['2025-11-25', '2026-07-28']) {
    test(`the conformance suite at --requirements ${requirements} through the front`, async (t) => {
      const instances = await startInstances(2, { redisUrl: redis.url, app: 'conformance' }, t)
      const front = await startRoundRobin(instances.map((i) => i.url))
      t.teardown(() => front.close())
      const run = await runConformance(`${front.url.replace('127.0.0.1', 'localhost')}/mcp`, ['--requirements', requirements], 200_000)
      t.comment(`conformance --requirements ${requirements} through a round-robin front over 2 instances: ${run.summary}`)
      for (const line of failures(run)) t.comment(`FAILURE ${line}`)
      t.equal(run.signal, null, 'the suite finished within its time bound')
      const scored = scoredScenarios(requirements)
      const failedScored = failures(run).filter((line) => scored.includes(line.slice(0, line.indexOf('/'))) || !line.startsWith('tasks-'))
      t.same(failedScored, [], 'no failure beyond what a single instance has')
    })
  }
}
