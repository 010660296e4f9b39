// The io.modelcontextprotocol/tasks extension (2026-07-28) over HTTP: negotiation per
// request, CreateTaskResult, tasks/get|update|cancel, Mcp-Name routing, input requests,
// MRTR before the task, foreign users, caps, listen notifications, and a dead runner.
import { test, type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../helpers.js'
import { modernHeaders, modernRequest, openListen as openListenStream } from '../modern/modern-helpers.js'
import { authOptions } from '../auth/auth-helpers.js'
import { MemoryTaskSignals, MemoryTaskStore, type McpTransportOptions, type TaskStore } from '../../lib/index.js'
import { LEASE_EXPIRED_MESSAGE, SHUTDOWN_MESSAGE } from '../../lib/tasks/task-engine.js'
import { TASKS, taskServer } from './task-fixtures.js'

async function app (t: Test, options: Partial<McpTransportOptions> = {}, server = taskServer()): Promise<FastifyInstance> {
  const built = await buildApp(options, server)
  t.teardown(() => built.close())
  return built
}

function taskHeaders (method: string, taskId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...modernHeaders(method), 'mcp-name': taskId, ...extra }
}

async function call (a: FastifyInstance, name: string, args: Record<string, unknown> = {}, capabilities: Record<string, unknown> = TASKS, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return modernRequest(a, 'tools/call', { name, arguments: args, ...extra }, { capabilities, headers })
}

async function tasks (a: FastifyInstance, method: string, params: Record<string, unknown>, capabilities: Record<string, unknown> = TASKS, headers: Record<string, string> = {}) {
  return modernRequest(a, method, params, { capabilities, headers: { 'mcp-name': String(params.taskId), ...headers } })
}

async function until (a: FastifyInstance, taskId: string, done: (task: any) => boolean, headers: Record<string, string> = {}): Promise<any> {
  let last: unknown
  for (let i = 0; i < 400; i++) {
    const body = (await tasks(a, 'tasks/get', { taskId }, TASKS, headers)).json()
    last = body
    if (body.result !== undefined && done(body.result)) return body.result
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error(`task ${taskId} never got there: ${JSON.stringify(last)}`)
}

const terminal = (task: any): boolean => ['completed', 'failed', 'cancelled'].includes(task.status)

test('server/discover announces the extension (never capabilities.tasks); tools/list shows taskSupport', async (t) => {
  const a = await app(t)
  const discover = (await modernRequest(a, 'server/discover')).json().result
  t.same(discover.capabilities.extensions, { 'io.modelcontextprotocol/tasks': {} })
  t.notOk('tasks' in discover.capabilities)
  const tools = (await modernRequest(a, 'tools/list')).json().result.tools
  t.notOk('execution' in tools.find((tool: any) => tool.name === 'plain'), 'a tool that never runs as a task says nothing')
  const page2 = (await modernRequest(a, 'tools/list', { cursor: (await modernRequest(a, 'tools/list')).json().result.nextCursor })).json().result.tools
  t.same(page2.find((tool: any) => tool.name === 'needs_task')?.execution, { taskSupport: 'required' })
  const noTasks = await buildApp({}, (() => { const s = taskServer(); for (const n of ['slow', 'needs_task', 'asks', 'asks_twice', 'broken', 'tool_error', 'chatty', 'staged', 'staged_optional']) s.removeTool(n); return s })())
  t.teardown(() => noTasks.close())
  t.notOk('extensions' in (await modernRequest(noTasks, 'server/discover')).json().result.capabilities, 'no task-capable tool, no extension')
  const res = await tasks(noTasks, 'tasks/get', { taskId: 'x' })
  t.equal(res.json().error.code, -32601, 'and no tasks/* methods')
})

test('a client without the extension: a plain result from an optional tool, -32021 for a required one and for tasks/*', async (t) => {
  const a = await app(t)
  const plain = (await call(a, 'slow', { ms: 1 }, {})).json().result
  t.equal(plain.resultType, 'complete')
  t.notOk('taskId' in plain)
  t.equal(plain.content[0].text, 'slept 1 ms in a request')
  const required = await call(a, 'needs_task', {}, {})
  t.equal(required.statusCode, 400)
  t.equal(required.json().error.code, -32021)
  t.same(required.json().error.data, { requiredCapabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } })
  for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
    const res = await tasks(a, method, { taskId: 'x', inputResponses: {} }, {})
    t.equal(res.json().error.code, -32021, `${method} without the extension`)
  }
  const legacyParam = (await call(a, 'plain', {}, TASKS, { task: { ttl: 1000 } })).json().result
  t.equal(legacyParam.content[0].text, 'plain result', 'a 2025-11-25 task param does not make a task of a plain tool')
})

test('with the extension: a flat CreateTaskResult, then tasks/get working with its message, then completed', async (t) => {
  const a = await app(t, {}, taskServer({ ttlMs: 60_000, pollIntervalMs: 250 }))
  const created = (await call(a, 'slow', { ms: 400 })).json().result
  t.equal(created.resultType, 'task')
  t.match(created, { status: 'working', ttlMs: 60_000, pollIntervalMs: 250 })
  t.match(created.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/)
  for (const key of ['task', 'ttl', 'pollInterval', 'result', 'error', 'inputRequests', 'requestState']) t.notOk(key in created, `no ${key}`)
  const working = await until(a, created.taskId, (task) => task.statusMessage !== undefined)
  t.equal(working.resultType, 'complete')
  t.equal(working.taskId, created.taskId)
  t.equal(working.status, 'working')
  t.equal(working.statusMessage, 'sleeping 400 ms')
  t.notOk('result' in working)
  const done = await until(a, created.taskId, terminal)
  t.equal(done.status, 'completed')
  t.same(done.result, { content: [{ type: 'text', text: 'slept 400 ms in a task' }] }, 'the inlined result has no related-task _meta')
})

test('Mcp-Name carries the task id: missing or different is 400 -32020', async (t) => {
  const a = await app(t)
  const { taskId } = (await call(a, 'slow', { ms: 1 })).json().result
  const wrong = await modernRequest(a, 'tasks/get', { taskId }, { capabilities: TASKS, headers: { 'mcp-name': 'another' } })
  t.equal(wrong.statusCode, 400)
  t.equal(wrong.json().error.code, -32020)
  const missing = await modernRequest(a, 'tasks/get', { taskId }, { capabilities: TASKS })
  t.equal(missing.json().error.code, -32020)
  const ok = await modernRequest(a, 'tasks/get', { taskId }, { capabilities: TASKS, headers: taskHeaders('tasks/get', taskId) })
  t.equal(ok.statusCode, 200)
})

test('unknown task -32602; bad params -32602; tasks/result and tasks/list do not exist in 2026-07-28', async (t) => {
  const a = await app(t)
  const unknown = await tasks(a, 'tasks/get', { taskId: 'no-such-task' })
  t.equal(unknown.json().error.code, -32602)
  t.match(unknown.json().error.message, /Task not found/)
  t.equal((await tasks(a, 'tasks/cancel', { taskId: 'no-such-task' })).json().error.code, -32602)
  t.equal((await tasks(a, 'tasks/update', { taskId: 'no-such-task', inputResponses: {} })).json().error.code, -32602)
  const { taskId } = (await call(a, 'slow', { ms: 1 })).json().result
  t.match((await tasks(a, 'tasks/update', { taskId })).json().error, { code: -32602, message: /inputResponses/ })
  const noId = await modernRequest(a, 'tasks/get', {}, { capabilities: TASKS, headers: { 'mcp-name': 'undefined' } })
  t.equal(noId.statusCode, 400, 'without params.taskId the Mcp-Name check fails first')
  for (const method of ['tasks/result', 'tasks/list']) {
    const res = await modernRequest(a, method, { taskId }, { capabilities: TASKS })
    t.equal(res.statusCode, 404, `${method}: 404`)
    t.equal(res.json().error.code, -32601)
  }
})

test('input: input_required with inputRequests, unknown keys ignored, tasks/update resumes it to completed', async (t) => {
  const a = await app(t)
  const { taskId } = (await call(a, 'asks')).json().result
  const waiting = await until(a, taskId, (task) => task.status === 'input_required')
  t.same(waiting.inputRequests, { confirm: { method: 'elicitation/create', params: { message: 'Sure?', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } } } })
  const ignored = (await tasks(a, 'tasks/update', { taskId, inputResponses: { nope: { action: 'accept' }, confirm: 'not an object' } })).json().result
  t.same(ignored, { resultType: 'complete', _meta: ignored._meta }, 'an empty acknowledgement')
  t.equal((await tasks(a, 'tasks/get', { taskId })).json().result.status, 'input_required')
  await tasks(a, 'tasks/update', { taskId, inputResponses: { confirm: { action: 'accept', content: { ok: true } } } })
  const done = await until(a, taskId, terminal)
  t.equal(done.result.content[0].text, 'answer: accept')
})

test('default input keys are unique for the task\'s life: method and call order', async (t) => {
  const a = await app(t)
  const { taskId } = (await call(a, 'asks_twice')).json().result
  const first = await until(a, taskId, (task) => task.status === 'input_required')
  t.same(Object.keys(first.inputRequests), ['roots/list#0'])
  await tasks(a, 'tasks/update', { taskId, inputResponses: { 'roots/list#0': { roots: [] } } })
  const second = await until(a, taskId, (task) => task.status === 'input_required' && 'roots/list#1' in task.inputRequests)
  t.same(Object.keys(second.inputRequests), ['roots/list#1'])
  await tasks(a, 'tasks/update', { taskId, inputResponses: { 'roots/list#1': { roots: [{ uri: 'file:///x' }] } } })
  t.equal((await until(a, taskId, terminal)).result.content[0].text, '0+1')
})

test('cancel: an empty ack, the task cancelled, the handler\'s signal aborted; again on a finished task, the same ack', async (t) => {
  const a = await app(t)
  const { taskId } = (await call(a, 'slow', { ms: 60_000 })).json().result
  const ack = (await tasks(a, 'tasks/cancel', { taskId })).json().result
  t.equal(ack.resultType, 'complete')
  for (const key of ['taskId', 'status', 'result']) t.notOk(key in ack)
  const cancelled = (await tasks(a, 'tasks/get', { taskId })).json().result
  t.equal(cancelled.status, 'cancelled')
  t.equal(cancelled.statusMessage, 'The task was cancelled by request')
  t.equal((await tasks(a, 'tasks/cancel', { taskId })).json().result.resultType, 'complete', 'idempotent')
})

test('a JSON-RPC error fails the task with error and no result; a tool error completes it with isError', async (t) => {
  const a = await app(t)
  const broken = await until(a, (await call(a, 'broken')).json().result.taskId, terminal)
  t.equal(broken.status, 'failed')
  t.same(broken.error, { code: -32603, message: 'broken on purpose' })
  t.notOk('result' in broken)
  const toolError = await until(a, (await call(a, 'tool_error')).json().result.taskId, terminal)
  t.equal(toolError.status, 'completed')
  t.same(toolError.result, { content: [{ type: 'text', text: 'tool says no' }], isError: true })
})

test('in a task, logs and progress are dropped, the stream cannot be closed, and raw requests are refused', async (t) => {
  const a = await app(t)
  const done = await until(a, (await call(a, 'chatty', {}, TASKS, {}, {})).json().result.taskId, terminal)
  t.match(done.result.content[0].text, /^closed=false request: Cannot send ping from a task/)
})

test('taskStart handler: an input_required round first (no taskId), then the CreateTaskResult, then the task asks through inputRequests', async (t) => {
  const a = await app(t)
  const round1 = (await call(a, 'staged')).json().result
  t.equal(round1.resultType, 'input_required')
  t.notOk('taskId' in round1)
  t.same(Object.keys(round1.inputRequests), ['user_name'])
  const round2 = (await call(a, 'staged', {}, TASKS, { inputResponses: { user_name: { action: 'accept', content: { name: 'Ada' } } }, requestState: round1.requestState })).json().result
  t.equal(round2.resultType, 'task')
  t.notOk('requestState' in round2)
  t.notOk('inputRequests' in round2)
  const waiting = await until(a, round2.taskId, (task) => task.status === 'input_required')
  t.same(Object.keys(waiting.inputRequests), ['more'], 'after startTask, inputs belong to the task')
  await tasks(a, 'tasks/update', { taskId: round2.taskId, inputResponses: { more: { action: 'decline' } } })
  t.equal((await until(a, round2.taskId, terminal)).result.content[0].text, 'task yes for Ada, decline')
  const direct = (await call(a, 'staged', { skip: true }, TASKS, { inputResponses: { user_name: { action: 'accept', content: { name: 'Bo' } } } })).json().result
  t.equal(direct.resultType, 'complete', 'a handler that returns before startTask answers directly')
  t.equal(direct.content[0].text, 'direct for Bo')
  const optional = (await call(a, 'staged_optional', {}, {})).json().result
  t.equal(optional.content[0].text, 'still a request', 'startTask does nothing when the client cannot take a task')
})

test('taskStart handler: a startTask past the cap fails the call with -32603', async (t) => {
  const a = await app(t, { tasks: { maxTasksPerOwner: 1 } })
  const first = (await call(a, 'slow', { ms: 60_000 })).json().result
  t.equal(first.resultType, 'task')
  const refused = (await call(a, 'staged', {}, TASKS, { inputResponses: { user_name: { action: 'accept', content: { name: 'Ada' } } } })).json()
  t.equal(refused.error.code, -32603)
  t.match(refused.error.message, /maximum of 1 live tasks.*maxTasksPerOwner/)
  const plainCap = (await call(a, 'slow', { ms: 1 })).json()
  t.equal(plainCap.error.code, -32603, 'a task created before the handler is refused the same way')
  t.same(plainCap.error.data, { limit: 1, scope: 'owner' })
  await tasks(a, 'tasks/cancel', { taskId: first.taskId })
  t.equal((await call(a, 'slow', { ms: 1 })).json().result.resultType, 'task', 'a cancelled task frees the slot')
})

test('with auth a task belongs to its user: another user\'s token gets -32602 for get, update and cancel', async (t) => {
  const a = await app(t, { auth: authOptions() })
  const alice = { authorization: 'Bearer good' }
  const bob = { authorization: 'Bearer bob' }
  const { taskId } = (await call(a, 'slow', { ms: 60_000 }, TASKS, {}, alice)).json().result
  for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
    const res = await tasks(a, method, { taskId, inputResponses: {} }, TASKS, bob)
    t.equal(res.json().error.code, -32602, `${method} with bob's token`)
  }
  t.equal((await tasks(a, 'tasks/get', { taskId }, TASKS, { authorization: 'Bearer again' })).json().result.status, 'working', 'alice\'s other token sees it')
  await tasks(a, 'tasks/cancel', { taskId }, TASKS, alice)
  t.equal((await tasks(a, 'tasks/get', { taskId }, TASKS, alice)).json().result.status, 'cancelled')
})

function openListen (port: number, notifications: unknown, capabilities: Record<string, unknown>, headers: Record<string, string> = {}) {
  return openListenStream(port, notifications, { id: 9, capabilities, headers })
}

test('subscriptions/listen with taskIds: notifications/tasks with the full task, only for the caller\'s tasks', async (t) => {
  const a = await app(t, { auth: authOptions() })
  await a.listen({ port: 0, host: '127.0.0.1' })
  const port = (a.server.address() as { port: number }).port
  const alice = { authorization: 'Bearer good' }
  const { taskId } = (await call(a, 'asks', {}, TASKS, {}, alice)).json().result
  const mine = await openListen(port, { taskIds: [taskId, 'unknown'] }, TASKS, alice)
  const theirs = await openListen(port, { taskIds: [taskId] }, TASKS, { authorization: 'Bearer bob' })
  t.teardown(() => { mine.close(); theirs.close() })
  await mine.until(() => mine.frames.length >= 1)
  t.same(mine.frames[0].params.notifications, { taskIds: [taskId, 'unknown'] }, 'the acknowledgement lists the task ids')
  await until(a, taskId, (task) => task.status === 'input_required', alice)
  await tasks(a, 'tasks/update', { taskId, inputResponses: { confirm: { action: 'accept' } } }, TASKS, alice)
  await mine.until(() => mine.frames.some((f) => f.params?.status === 'completed'))
  const statuses = mine.frames.slice(1).map((f) => f.params.status)
  // The task asked before the stream opened; the answer moved it to working, then it completed.
  t.same(statuses.slice(-2), ['working', 'completed'], `status changes reach the listener: ${statuses.join(', ')}`)
  const completed = mine.frames.find((f) => f.params?.status === 'completed')!
  t.equal(completed.method, 'notifications/tasks')
  t.equal(completed.params.taskId, taskId)
  t.same(completed.params.result, { content: [{ type: 'text', text: 'answer: accept' }] }, 'the full DetailedTask')
  t.equal(completed.params._meta['io.modelcontextprotocol/subscriptionId'], 9)
  await theirs.until(() => theirs.frames.length >= 1)
  t.equal(theirs.frames.length, 1, 'another user\'s listen stream hears nothing of it')
})

test('subscriptions/listen asking for taskIds without the extension is 400 -32021', async (t) => {
  const a = await app(t)
  await a.listen({ port: 0, host: '127.0.0.1' })
  const port = (a.server.address() as { port: number }).port
  const stream = await openListen(port, { taskIds: ['x'] }, {})
  t.equal(stream.res.status, 400)
  const body = await stream.res.json()
  t.equal(body.error.code, -32021)
  t.same(body.error.data, { requiredCapabilities: { extensions: { 'io.modelcontextprotocol/tasks': {} } } })
})

/** A store whose lease writes can be made to stop, as when the instance renewing them died. */
function freezable (store: TaskStore): { store: TaskStore, freeze: () => void } {
  let frozen = false
  const wrapped: TaskStore = Object.create(store)
  wrapped.update = (id, from, patch) => frozen && Object.keys(patch).length === 1 && patch.leaseUntil !== undefined
    ? Promise.resolve(undefined)
    : store.update(id, from, patch)
  return { store: wrapped, freeze: () => { frozen = true } }
}

test('two instances on one store: tasks/get, update and cancel work on either; a dead runner\'s task turns failed after its lease', async (t) => {
  const shared = new MemoryTaskStore()
  const signals = new MemoryTaskSignals()
  t.teardown(() => shared.close())
  const runner = freezable(shared)
  // 300 ms: short for a test, long enough for a loaded machine's event loop lag.
  const a = await app(t, { tasks: { store: runner.store, signals, leaseTimeout: 300 } })
  const b = await app(t, { tasks: { store: shared, signals, leaseTimeout: 300 } })
  const asked = (await call(a, 'asks')).json().result
  await until(b, asked.taskId, (task) => task.status === 'input_required')
  await tasks(b, 'tasks/update', { taskId: asked.taskId, inputResponses: { confirm: { action: 'accept' } } })
  t.equal((await until(b, asked.taskId, terminal)).result.content[0].text, 'answer: accept', 'an answer given on b reached the handler on a')
  const slow = (await call(a, 'slow', { ms: 60_000 })).json().result
  await new Promise((resolve) => setTimeout(resolve, 700))
  t.equal((await tasks(b, 'tasks/get', { taskId: slow.taskId })).json().result.status, 'working', 'a live runner keeps its task alive past the lease')
  await tasks(b, 'tasks/cancel', { taskId: slow.taskId })
  t.equal((await until(a, slow.taskId, terminal)).status, 'cancelled', 'a cancel on b is seen on a')
  const orphan = (await call(a, 'slow', { ms: 60_000 })).json().result
  runner.freeze()
  t.equal((await tasks(b, 'tasks/get', { taskId: orphan.taskId })).json().result.status, 'working', 'still within its last lease')
  await new Promise((resolve) => setTimeout(resolve, 400))
  const failed = (await tasks(b, 'tasks/get', { taskId: orphan.taskId })).json().result
  t.equal(failed.status, 'failed', 'one lease (300 ms) after the renewals stopped, a read marks it failed')
  t.same(failed.error, { code: -32603, message: LEASE_EXPIRED_MESSAGE })
})

test('closing the instance that runs a task fails it with a message another instance reads', async (t) => {
  const shared = new MemoryTaskStore()
  const signals = new MemoryTaskSignals()
  t.teardown(() => shared.close())
  const a = await buildApp({ tasks: { store: shared, signals } }, taskServer())
  const b = await app(t, { tasks: { store: shared, signals } })
  const { taskId } = (await call(a, 'slow', { ms: 60_000 })).json().result
  await a.close()
  const failed = (await tasks(b, 'tasks/get', { taskId })).json().result
  t.equal(failed.status, 'failed')
  t.equal(failed.statusMessage, SHUTDOWN_MESSAGE)
})
