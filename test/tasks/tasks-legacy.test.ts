// The 2025-11-25 experimental tasks utility for legacy sessions, from the same engine and
// the same tool definitions: task-augmented tools/call, tasks/get, tasks/result, tasks/list,
// tasks/cancel, notifications/tasks/status, and input through the tasks/result stream.
import { test, type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp, initializeBody, post, sessionHeaders } from '../helpers.js'
import { HttpSession, SseReader, listen } from '../server/http-client.js'
import { MemoryTaskSignals, MemoryTaskStore, type McpTransportOptions, type TaskStore } from '../../lib/index.js'
import { taskServer } from './task-fixtures.js'

const RELATED = 'io.modelcontextprotocol/related-task'

async function app (t: Test, options: Partial<McpTransportOptions> = {}, server = taskServer({ ttlMs: 60_000, pollIntervalMs: 500 })): Promise<FastifyInstance> {
  const built = await buildApp(options, server)
  t.teardown(() => built.close())
  return built
}

async function session (a: FastifyInstance, protocolVersion = '2025-11-25'): Promise<{ id: string, init: any }> {
  const body = initializeBody(protocolVersion)
  body.params.capabilities = { elicitation: {}, roots: {} } as any
  const res = await post(a, body)
  const id = res.headers['mcp-session-id'] as string
  await post(a, { jsonrpc: '2.0', method: 'notifications/initialized' }, sessionHeaders(id, protocolVersion))
  return { id, init: res.json().result }
}

let nextId = 10
async function rpc (a: FastifyInstance, sessionId: string, method: string, params: Record<string, unknown> = {}): Promise<any> {
  const res = await post(a, { jsonrpc: '2.0', id: nextId++, method, params }, sessionHeaders(sessionId))
  return res.json()
}

async function untilStatus (a: FastifyInstance, sessionId: string, taskId: string, check: (status: string) => boolean): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const task = (await rpc(a, sessionId, 'tasks/get', { taskId })).result
    if (check(task.status)) return task
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  throw new Error('never got there')
}

test('initialize at 2025-11-25 announces the tasks capability; earlier revisions and discover-style extensions do not', async (t) => {
  const a = await app(t)
  const { init } = await session(a)
  t.same(init.capabilities.tasks, { list: {}, cancel: {}, requests: { tools: { call: {} } } })
  t.notOk('extensions' in init.capabilities)
  const older = await session(a, '2025-06-18')
  t.notOk('tasks' in older.init.capabilities, '2025-06-18 has no tasks')
})

test('a task-augmented call: { task } at once, tasks/get with ttl and pollInterval, tasks/result with the result and related-task _meta', async (t) => {
  const a = await app(t)
  const { id } = await session(a)
  const created = (await rpc(a, id, 'tools/call', { name: 'slow', arguments: { ms: 30 }, task: { ttl: 5000 } })).result
  t.match(created.task, { status: 'working', ttl: 5000, pollInterval: 500 })
  t.notOk('ttlMs' in created.task)
  t.notOk('resultType' in created)
  const taskId = created.task.taskId
  const got = (await rpc(a, id, 'tasks/get', { taskId })).result
  t.equal(got.taskId, taskId)
  t.equal(got.statusMessage, 'sleeping 30 ms')
  const result = (await rpc(a, id, 'tasks/result', { taskId })).result
  t.same(result, { content: [{ type: 'text', text: 'slept 30 ms in a task' }], _meta: { [RELATED]: { taskId } } }, 'blocks until done, then the tool result')
  const long = (await rpc(a, id, 'tools/call', { name: 'slow', arguments: { ms: 1 }, task: { ttl: 10 ** 9 } })).result
  t.equal(long.task.ttl, 60_000, 'a ttl beyond the server\'s is cut to it')
  const bad = (await rpc(a, id, 'tools/call', { name: 'slow', arguments: { ms: 1 }, task: { ttl: -1 } })).result
  t.equal(bad.task.ttl, 60_000, 'an invalid ttl gets the server\'s')
})

test('negotiation per tool: required without params.task and forbidden with it are -32601; optional without it is a plain call', async (t) => {
  const a = await app(t)
  const { id } = await session(a)
  t.match((await rpc(a, id, 'tools/call', { name: 'needs_task', arguments: {} })).error, { code: -32601, message: /must be called as a task/ })
  t.match((await rpc(a, id, 'tools/call', { name: 'plain', arguments: {}, task: {} })).error, { code: -32601, message: /does not support task-augmented/ })
  t.equal((await rpc(a, id, 'tools/call', { name: 'slow', arguments: { ms: 1 } })).result.content[0].text, 'slept 1 ms in a request')
  t.equal((await rpc(a, id, 'tools/call', { name: 'plain', arguments: {} })).result.content[0].text, 'plain result')
  t.equal((await rpc(a, id, 'tasks/update', { taskId: 'x', inputResponses: {} })).error.code, -32601, 'tasks/update is 2026-07-28 only')
  t.match((await rpc(a, id, 'tools/call', { name: 42, arguments: {}, task: {} })).error, { code: -32602 }, 'a name that is not a string names no tool, task or not')
})

test('a tool error fails the task in 2025-11-25, and tasks/result returns the tool result; a JSON-RPC error comes back as that error', async (t) => {
  const a = await app(t)
  const { id } = await session(a)
  const toolError = (await rpc(a, id, 'tools/call', { name: 'tool_error', arguments: {}, task: {} })).result.task.taskId
  const result = await rpc(a, id, 'tasks/result', { taskId: toolError })
  t.same(result.result.content, [{ type: 'text', text: 'tool says no' }])
  t.equal(result.result.isError, true)
  t.equal((await rpc(a, id, 'tasks/get', { taskId: toolError })).result.status, 'failed')
  const broken = (await rpc(a, id, 'tools/call', { name: 'broken', arguments: {}, task: {} })).result.task.taskId
  t.same((await rpc(a, id, 'tasks/result', { taskId: broken })).error, { code: -32603, message: 'broken on purpose' })
})

test('tasks/cancel answers the cancelled task; a terminal one is -32602; tasks/result of a cancelled task is -32602', async (t) => {
  const a = await app(t)
  const { id } = await session(a)
  const taskId = (await rpc(a, id, 'tools/call', { name: 'slow', arguments: { ms: 60_000 }, task: {} })).result.task.taskId
  const cancelled = (await rpc(a, id, 'tasks/cancel', { taskId })).result
  t.match(cancelled, { taskId, status: 'cancelled', statusMessage: 'The task was cancelled by request' })
  t.match((await rpc(a, id, 'tasks/cancel', { taskId })).error, { code: -32602, message: /already in terminal status 'cancelled'/ })
  t.match((await rpc(a, id, 'tasks/result', { taskId })).error, { code: -32602, message: /was cancelled/ })
  t.equal((await rpc(a, id, 'tasks/result', { taskId: 'nope' })).error.code, -32602)
  t.equal((await rpc(a, id, 'tasks/get', {})).error.code, -32602, 'a taskId is required')
})

test('tasks/list pages through the session\'s own tasks; another session sees neither the list nor the tasks', async (t) => {
  const signals = new MemoryTaskSignals()
  const store = new MemoryTaskStore()
  t.teardown(() => store.close())
  const a = await app(t, { tasks: { store, signals } })
  const { id } = await session(a)
  const other = await session(a)
  const ids: string[] = []
  for (let i = 0; i < 3; i++) ids.push((await rpc(a, id, 'tools/call', { name: 'slow', arguments: { ms: 1 }, task: {} })).result.task.taskId)
  const first = (await rpc(a, id, 'tasks/list')).result
  t.same(first.tasks.map((task: any) => task.taskId), ids.slice(0, 2), 'pageSize 2')
  t.type(first.nextCursor, 'string')
  const second = (await rpc(a, id, 'tasks/list', { cursor: first.nextCursor })).result
  t.same(second.tasks.map((task: any) => task.taskId), ids.slice(2))
  t.notOk('nextCursor' in second)
  t.equal((await rpc(a, id, 'tasks/list', { cursor: 'bogus' })).error.code, -32602)
  t.equal((await rpc(a, id, 'tasks/list', { cursor: 7 })).error.code, -32602)
  t.same((await rpc(a, other.id, 'tasks/list')).result.tasks, [])
  t.equal((await rpc(a, other.id, 'tasks/get', { taskId: ids[0] })).error.code, -32602, 'without auth a task belongs to its session')
  for (let i = 0; i < 100 && signals.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(signals.size, 0, 'finished tasks hold no runner and no status watch')
})

test('tasks/list: a store failing otherwise is an internal error, details kept in the log', async (t) => {
  const base = new MemoryTaskStore()
  t.teardown(() => base.close())
  const failing: TaskStore = Object.create(base)
  failing.list = async () => { throw new Error('store down') }
  const a = await app(t, { tasks: { store: failing, signals: new MemoryTaskSignals() } })
  const { id } = await session(a)
  t.same((await rpc(a, id, 'tasks/list')).error, { code: -32603, message: 'Internal error' })
})

test('input through the tasks/result stream: input_required, elicitation/create with related-task _meta, then the result on the same stream', async (t) => {
  const url = await listen(t, await buildApp({}, taskServer()))
  const client = await HttpSession.open(url, { elicitation: {} })
  const created = await (await client.post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'asks', arguments: {}, task: {} } })).json()
  const taskId = created.result.task.taskId
  const stream = new SseReader(await client.post({ jsonrpc: '2.0', id: 2, method: 'tasks/result', params: { taskId } }))
  const request = await stream.next()
  t.equal(request.method, 'elicitation/create')
  t.same(request.params._meta, { [RELATED]: { taskId } })
  const status = await (await client.post({ jsonrpc: '2.0', id: 3, method: 'tasks/get', params: { taskId } })).json()
  t.equal(status.result.status, 'input_required', 'input_required while the request is out')
  await client.post({ jsonrpc: '2.0', id: request.id, result: { action: 'accept', content: { ok: true } } })
  const result = await stream.next()
  t.equal(result.id, 2)
  t.equal(result.result.content[0].text, 'answer: accept')
})

test('an input request waits for the client\'s tasks/result; status notifications go to the GET stream', async (t) => {
  const url = await listen(t, await buildApp({}, taskServer()))
  const client = await HttpSession.open(url, { elicitation: {} })
  const get = await client.listen()
  const created = await (await client.post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'asks', arguments: {}, task: {} } })).json()
  const taskId = created.result.task.taskId
  const seen: any[] = []
  while (!seen.some((m) => m.params?.status === 'input_required')) seen.push(await get.next())
  t.notOk(seen.some((m) => m.method === 'elicitation/create'), 'the request does not go to the GET stream')
  const stream = new SseReader(await client.post({ jsonrpc: '2.0', id: 2, method: 'tasks/result', params: { taskId } }))
  const request = await stream.next()
  t.equal(request.method, 'elicitation/create')
  t.same(request.params._meta, { [RELATED]: { taskId } })
  await client.post({ jsonrpc: '2.0', id: request.id, result: { action: 'decline' } })
  t.equal((await stream.next()).result.content[0].text, 'answer: decline')
  while (!seen.some((m) => m.params?.status === 'completed')) seen.push(await get.next())
  const completed = seen.find((m) => m.method === 'notifications/tasks/status' && m.params.status === 'completed')
  t.equal(completed.params.taskId, taskId)
  t.type(completed.params.ttl, 'number', 'the 2025-11-25 Task shape')
  await get.close()
})

test('a task waiting for a tasks/result stream stops waiting when it is cancelled', async (t) => {
  const a = await app(t)
  const { id } = await session(a)
  const taskId = (await rpc(a, id, 'tools/call', { name: 'asks', arguments: {}, task: {} })).result.task.taskId
  await untilStatus(a, id, taskId, (status) => status === 'input_required')
  t.equal((await rpc(a, id, 'tasks/cancel', { taskId })).result.status, 'cancelled')
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal((await rpc(a, id, 'tasks/get', { taskId })).result.status, 'cancelled')
})

test('in a legacy task, logs and progress go to the GET stream tagged with the task; raw requests travel on tasks/result', async (t) => {
  const url = await listen(t, await buildApp({ requestTimeout: 100 }, taskServer()))
  const client = await HttpSession.open(url, {})
  const get = await client.listen()
  await client.post({ jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level: 'debug' } })
  const created = await (await client.post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'chatty', arguments: {}, task: {}, _meta: { progressToken: 'p1' } } })).json()
  const taskId = created.result.task.taskId
  const messages: any[] = []
  while (!messages.some((m) => m.method === 'notifications/progress')) messages.push(await get.next())
  const log = messages.find((m) => m.method === 'notifications/message' && m.params.data === 'hello')
  t.same(log?.params._meta, { [RELATED]: { taskId } })
  t.equal(messages.find((m) => m.method === 'notifications/progress').params.progressToken, 'p1', 'progress keeps its token for the task\'s life')
  const stream = new SseReader(await client.post({ jsonrpc: '2.0', id: 3, method: 'tasks/result', params: { taskId } }))
  const ping = await stream.next()
  t.equal(ping.method, 'ping')
  let result = await stream.next()
  while (result.id !== 3) result = await stream.next()
  t.match(result.result.content[0].text, /^closed=false request: Request ping timed out/)
  await get.close()
})
