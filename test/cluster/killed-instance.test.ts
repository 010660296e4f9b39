// Nothing is lost when an instance dies (issue 11 #4): a standalone stream held by A resumes
// on B after A is SIGKILLed, with every notification sent in between, once each, in order.
// Instances are real processes (examples/cluster-app.ts), so the kill is a real one.
import tap, { test } from 'tap'
import { CLUSTER_FILE_TIMEOUT_MS, startInstances } from './support/instances.js'
import { redisForTest } from './support/redis-server.js'
import { getStream, openSession, reader } from './support/mcp-http.js'

tap.setTimeout(CLUSTER_FILE_TIMEOUT_MS)
const redis = await redisForTest(tap)

async function notifyOn (base: string, sessionId: string, data: number): Promise<boolean> {
  const res = await fetch(`${base}/_test/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId, method: 'notifications/message', params: { level: 'info', data } })
  })
  return (await res.json()).delivered
}

if (redis !== null) {
  test('a GET stream held by a SIGKILLed instance resumes on another with nothing lost', async (t) => {
    const [a, b] = await startInstances(2, { redisUrl: redis.url }, t)
    const id = await openSession(`${a.url}/mcp`)
    const stream = reader(await getStream(`${a.url}/mcp`, id))
    const priming = await stream.next(5000)
    t.equal(priming.data, '', 'priming event')
    t.ok(await notifyOn(b.url, id, 0), 'sent on B to the stream A holds')
    const first = await stream.next(5000)
    t.equal(JSON.parse(first.data).params.data, 0)

    a.kill('SIGKILL')
    await a.exited
    // Sent while no instance holds the stream: only the log has them.
    for (let i = 1; i <= 50; i++) t.ok(await notifyOn(b.url, id, i), `notification ${i} accepted while A is dead`) || t.bailout()

    const resumed = reader(await getStream(`${b.url}/mcp`, id, first.id))
    const seen: number[] = []
    const ids = new Set<string>()
    for (let i = 1; i <= 50; i++) {
      const event = await resumed.next(5000)
      seen.push(JSON.parse(event.data).params.data)
      ids.add(event.id!)
    }
    t.same(seen, Array.from({ length: 50 }, (_, i) => i + 1), 'every notification once, in order')
    t.equal(ids.size, 50, 'no id twice')
    t.ok(await notifyOn(b.url, id, 51))
    t.equal(JSON.parse((await resumed.next(5000)).data).params.data, 51, 'and it stays live on B')
  })
}

if (redis !== null) {
  test('a task whose instance is SIGKILLed turns failed, read on another instance, within its lease', async (t) => {
    const [a, b] = await startInstances(2, { redisUrl: redis.url, app: 'conformance', env: { TASK_LEASE_TIMEOUT: '1500' } }, t)
    const tasksMeta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } } }
    const post = (base: string, method: string, params: Record<string, unknown>, name: string) => fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, 'mcp-name': name },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: tasksMeta } })
    }).then(async (res) => await res.json())
    const created = await post(a.url, 'tools/call', { name: 'slow_compute', arguments: { seconds: 600 } }, 'slow_compute')
    t.equal(created.result.resultType, 'task')
    const taskId = created.result.taskId
    t.equal((await post(b.url, 'tasks/get', { taskId }, taskId)).result.status, 'working', 'B reads the task A runs')
    a.kill('SIGKILL')
    await a.exited
    const started = Date.now()
    let task: any
    for (;;) {
      task = (await post(b.url, 'tasks/get', { taskId }, taskId)).result
      if (task.status !== 'working' || Date.now() - started > 10_000) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    t.equal(task.status, 'failed', `failed ${Date.now() - started} ms after the kill (lease 1500 ms)`)
    t.match(task.error, { code: -32603, message: /stopped before it finished/ })
  })
}
