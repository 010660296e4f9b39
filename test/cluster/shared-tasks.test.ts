// Tasks with the Redis state (issue 12): kept in Redis, so tasks/get, tasks/update and
// tasks/cancel work on any instance and reach the handler running on another; a task whose
// instance stops renewing its lease turns failed; caps hold for the whole cluster; and
// nothing of a deleted task stays in Redis.
import tap, { test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { modernRequest } from '../modern/modern-helpers.js'
import { LEASE_EXPIRED_MESSAGE } from '../../lib/tasks/task-engine.js'
import { TASKS, taskServer } from '../tasks/task-fixtures.js'
import { clusterRedis } from './support/cluster-redis.js'
import { startInstance } from './support/two-instances.js'
import { call as rpcCall, getStream, openSession, reader, send } from './support/mcp-http.js'

tap.setTimeout(240_000)
const cluster = await clusterRedis(tap)

async function call ({ app }: { app: FastifyInstance }, name: string, args: Record<string, unknown> = {}) {
  return (await modernRequest(app, 'tools/call', { name, arguments: args }, { capabilities: TASKS })).json()
}

async function tasks ({ app }: { app: FastifyInstance }, method: string, params: Record<string, unknown>) {
  return (await modernRequest(app, method, params, { capabilities: TASKS, headers: { 'mcp-name': String(params.taskId) } })).json()
}

async function until (instance: { app: FastifyInstance }, taskId: string, done: (task: any) => boolean): Promise<any> {
  let last: unknown
  for (let i = 0; i < 600; i++) {
    const body = await tasks(instance, 'tasks/get', { taskId })
    last = body
    if (body.result !== undefined && done(body.result)) return body.result
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`task ${taskId} never got there: ${JSON.stringify(last)}`)
}

const terminal = (task: any): boolean => ['completed', 'failed', 'cancelled'].includes(task.status)

if (cluster !== null) {
  test('a task created on A is read, answered and cancelled through B', async (t) => {
    const a = await startInstance(t, cluster.url, { tasks: { leaseTimeout: 600 } }, taskServer())
    const b = await startInstance(t, cluster.url, { tasks: { leaseTimeout: 600 } }, taskServer())
    const created = await call(a, 'asks')
    t.equal(created.result.resultType, 'task', 'a CreateTaskResult')
    const asking = await until(b, created.result.taskId, (task) => task.status === 'input_required')
    t.ok(asking.inputRequests.confirm, 'B sees the input request the handler on A made')
    t.match(await tasks(b, 'tasks/update', { taskId: created.result.taskId, inputResponses: { confirm: { action: 'accept' }, unknown: { action: 'x' } } }), { result: {} })
    const done = await until(a, created.result.taskId, terminal)
    t.equal(done.status, 'completed')
    t.equal(done.result.content[0].text, 'answer: accept', 'the answer given on B reached the handler on A')

    const slow = await call(a, 'slow', { ms: 60_000 })
    await new Promise((resolve) => setTimeout(resolve, 900))
    t.equal((await tasks(b, 'tasks/get', { taskId: slow.result.taskId })).result.status, 'working', 'a live runner renews its lease')
    t.match(await tasks(b, 'tasks/cancel', { taskId: slow.result.taskId }), { result: {} })
    t.equal((await until(a, slow.result.taskId, terminal)).status, 'cancelled', 'the cancel on B aborted the handler on A')
    t.match(await tasks(b, 'tasks/get', { taskId: 'no-such-task' }), { error: { code: -32602 } })
  })

  test('2025-11-25: a task on A asks through the GET stream held by B while tasks/result waits on B', async (t) => {
    const a = await startInstance(t, cluster.url, {}, taskServer())
    const b = await startInstance(t, cluster.url, {}, taskServer())
    const id = await openSession(a.url, { elicitation: {} })
    const stream = reader(await getStream(b.url, id))
    await stream.next()
    const created = await rpcCall(a.url, id, 1, 'tools/call', { name: 'asks', arguments: {}, task: {} })
    const taskId = created.result.task.taskId
    // The client waits on B; the handler runs on A, which cannot reach B's tasks/result.
    const result = rpcCall(b.url, id, 2, 'tasks/result', { taskId })
    const ask = await stream.message(5000)
    t.equal(ask.method, 'elicitation/create')
    t.same(ask.params._meta, { 'io.modelcontextprotocol/related-task': { taskId } })
    t.equal((await send(b.url, id, { jsonrpc: '2.0', id: ask.id, result: { action: 'accept' } })).status, 202)
    t.equal((await result).result.content[0].text, 'answer: accept', 'the answer POSTed to B reached the handler on A')
  })

  test('2025-11-25: a task whose tasks/result waits on its own instance asks on that stream, not the GET stream', async (t) => {
    const server = taskServer()
    server.tool('asks_later', { description: 'Asks after a while', taskSupport: 'optional' }, async (_args, ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      const answer = await ctx.elicit({ message: 'Sure?', requestedSchema: { type: 'object', properties: {} } })
      return `answer: ${answer.action}`
    })
    const a = await startInstance(t, cluster.url, {}, server)
    const id = await openSession(a.url, { elicitation: {} })
    const created = await rpcCall(a.url, id, 1, 'tools/call', { name: 'asks_later', arguments: {}, task: {} })
    const taskId = created.result.task.taskId
    const results = reader(await send(a.url, id, { jsonrpc: '2.0', id: 2, method: 'tasks/result', params: { taskId } }))
    const ask = await results.message(5000)
    t.equal(ask.method, 'elicitation/create', 'the request came on the tasks/result stream')
    t.equal((await send(a.url, id, { jsonrpc: '2.0', id: ask.id, result: { action: 'decline' } })).status, 202)
    t.match(await results.message(5000), { id: 2, result: { content: [{ text: 'answer: decline' }] } })
  })

  test('the failed, the tool error and the result survive as Redis keeps them', async (t) => {
    const a = await startInstance(t, cluster.url, {}, taskServer())
    const b = await startInstance(t, cluster.url, {}, taskServer())
    const broken = await call(a, 'broken')
    t.same((await until(b, broken.result.taskId, terminal)).error, { code: -32603, message: 'broken on purpose' })
    const toolError = await until(b, (await call(a, 'tool_error')).result.taskId, terminal)
    t.equal(toolError.status, 'completed')
    t.equal(toolError.result.isError, true)
  })

  test('a runner that stops renewing its lease (its instance died) has its task failed on another', async (t) => {
    const a = await startInstance(t, cluster.url, { tasks: { leaseTimeout: 400 } }, taskServer())
    const b = await startInstance(t, cluster.url, { tasks: { leaseTimeout: 400 } }, taskServer())
    const orphan = await call(a, 'slow', { ms: 60_000 })
    // A loses Redis without a word: no renewal, no failure message (as if it had died).
    a.client.disconnect()
    await new Promise((resolve) => setTimeout(resolve, 900))
    const failed = await until(b, orphan.result.taskId, terminal)
    t.equal(failed.status, 'failed')
    t.same(failed.error, { code: -32603, message: LEASE_EXPIRED_MESSAGE })
  })

  test('the per-owner cap holds across instances, and deleted tasks leave no key behind', async (t) => {
    const before = await cluster.dbsize()
    const a = await startInstance(t, cluster.url, { tasks: { maxTasksPerOwner: 2 } }, taskServer())
    const b = await startInstance(t, cluster.url, { tasks: { maxTasksPerOwner: 2 } }, taskServer())
    const one = await call(a, 'slow', { ms: 60_000 })
    const two = await call(b, 'slow', { ms: 60_000 })
    const three = await call(a, 'slow', { ms: 60_000 })
    t.match(three, { error: { code: -32603, message: /maximum of 2 live tasks/ } }, 'the third live task is refused, whichever instance')
    await tasks(b, 'tasks/cancel', { taskId: one.result.taskId })
    await until(a, one.result.taskId, terminal)
    t.equal((await call(b, 'slow', { ms: 10 })).result.resultType, 'task', 'a finished task frees its place')
    await tasks(a, 'tasks/cancel', { taskId: two.result.taskId })
    t.ok(await cluster.dbsize() > before)
  })
}
