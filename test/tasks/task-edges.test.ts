// The tasks option, createMcpServer's task defaults, and the corners of the task paths:
// a host without the engine, a renewal racing the end of its task, a task vanishing while
// tasks/result waits, and the tasks/result waiter registry.
import { test } from 'tap'
import type { FastifyBaseLogger } from 'fastify'
import { buildApp, initializeBody, post, sessionHeaders } from '../helpers.js'
import { modernHeaders, modernMeta, modernRequest } from '../modern/modern-helpers.js'
import { createMcpServer, MemoryTaskSignals, MemoryTaskStore, type McpServerHost, type RequestContext, type TaskStore } from '../../lib/index.js'
import { TaskEngine } from '../../lib/tasks/task-engine.js'
import { ResultWaiters } from '../../lib/server/task-binding.js'
import { TASKS, taskServer } from './task-fixtures.js'

const quiet = { error () {} } as unknown as FastifyBaseLogger

/** POSTs subscriptions/listen for `taskIds` on a real socket; abort() ends the stream. */
async function listenFor (port: number, taskIds: string[], id: number): Promise<{ res: Response, reader: ReadableStreamDefaultReader<Uint8Array>, abort: () => void }> {
  const controller = new AbortController()
  const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
    method: 'POST',
    headers: modernHeaders('subscriptions/listen'),
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { notifications: { taskIds }, _meta: modernMeta(TASKS) } }),
    signal: controller.signal
  })
  return { res, reader: res.body!.getReader(), abort: () => controller.abort() }
}

test('the tasks option is checked at registration, naming the option', async (t) => {
  const server = taskServer()
  const cases: Array<[unknown, RegExp]> = [
    [null, /option "tasks" is null; expected an object/],
    [{ store: {} }, /option "tasks.store" .* expected a TaskStore/],
    [{ store: new MemoryTaskStore(), signals: { publish () {} } }, /option "tasks.signals" .* expected TaskSignals/],
    [{ store: new MemoryTaskStore() }, /option "tasks.signals" is missing; expected both tasks.store and tasks.signals/],
    [{ signals: new MemoryTaskSignals() }, /option "tasks.store" is missing/],
    [{ leaseTimeout: 0 }, /option "tasks.leaseTimeout" is 0; expected an integer >= 1/],
    [{ maxTasks: 1.5 }, /option "tasks.maxTasks"/],
    [{ maxTasksPerOwner: 'many' }, /option "tasks.maxTasksPerOwner"/]
  ]
  for (const [tasks, message] of cases) {
    await t.rejects(buildApp({ tasks: tasks as any }, server), { message }, JSON.stringify(tasks))
  }
})

test('createMcpServer checks its task defaults, and a tool its taskSupport and taskStart', async (t) => {
  t.throws(() => createMcpServer({ name: 's', version: '1', tasks: { ttlMs: 0 } }), { message: /tasks.ttlMs must be a whole number of at least 1, got 0/ })
  t.throws(() => createMcpServer({ name: 's', version: '1', tasks: { pollIntervalMs: 1.5 } }), { message: /tasks.pollIntervalMs/ })
  const server = createMcpServer({ name: 's', version: '1' })
  t.throws(() => server.tool('x', { taskSupport: 'sometimes' as any }, () => 'x'), { message: /taskSupport must be 'forbidden', 'optional' or 'required', got "sometimes"/ })
  t.throws(() => server.tool('y', { taskStart: 'later' as any }, () => 'y'), { message: /taskStart must be 'call' or 'handler', got "later"/ })
  server.tool('z', { taskSupport: 'optional' }, () => 'z')
  t.ok(server.removeTool('z'))
  t.notOk(server.removeTool('z'), 'removing twice')
})

test('a host without a task engine: no task capability, and task-capable tools run as plain calls', async (t) => {
  const server = taskServer()
  const host: McpServerHost = { notify: () => false, broadcast: () => 0, request: () => Promise.reject(new Error('no')) }
  server.attach(host)
  t.notOk('extensions' in server.capabilities('2026-07-28'))
  t.notOk('tasks' in server.capabilities('2025-11-25'))
  const context = {
    requestId: 1, method: 'tools/call', session: undefined, protocolVersion: '2026-07-28', clientCapabilities: TASKS,
    signal: new AbortController().signal, progressToken: undefined, logger: quiet, notify () {}, closeStream: () => false, request: () => Promise.reject(new Error('no'))
  } satisfies RequestContext
  const result = await server.handleRequest({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow', arguments: { ms: 1 } } }, context)
  t.equal((result.content as any)[0].text, 'slept 1 ms in a request')
})

test('an unknown tool on a server with task-capable tools is -32602 as always', async (t) => {
  const app = await buildApp({}, taskServer())
  t.teardown(() => app.close())
  const res = (await modernRequest(app, 'tools/call', { name: 'nope', arguments: {} }, { capabilities: TASKS })).json()
  t.equal(res.error.code, -32602)
})

test('subscriptions/listen without auth: taskIds of anonymous tasks are reported; an empty list watches nothing; watches end with the stream', async (t) => {
  const signals = new MemoryTaskSignals()
  const store = new MemoryTaskStore()
  t.teardown(() => store.close())
  const app = await buildApp({ tasks: { store, signals } }, taskServer())
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const empty = await listenFor(port, [], 1)
  t.equal(empty.res.status, 200)
  t.match(new TextDecoder().decode((await empty.reader.read()).value), /"taskIds":\[\]/)
  empty.abort()
  const { taskId } = (await modernRequest(app, 'tools/call', { name: 'slow', arguments: { ms: 60_000 } }, { capabilities: TASKS })).json().result
  const watching = await listenFor(port, [taskId], 2)
  const events = watching.reader
  let text = new TextDecoder().decode((await events.read()).value)
  await modernRequest(app, 'tasks/cancel', { taskId }, { capabilities: TASKS, headers: { 'mcp-name': taskId } })
  while (!text.includes('"status":"cancelled"')) text += new TextDecoder().decode((await events.read()).value)
  t.match(text, /notifications\/tasks/)
  watching.abort()
  for (let i = 0; i < 100 && signals.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(signals.size, 0, 'the closed stream\'s task watch is gone, and the finished task\'s runner let go')
})

test('a lease renewal that finishes after its task ended changes nothing', async (t) => {
  const base = new MemoryTaskStore()
  const slow: TaskStore = Object.create(base)
  // Lease writes take longer than the task: they land after it completed.
  slow.update = async (id, from, patch) => {
    if (patch.leaseUntil !== undefined) await new Promise((resolve) => setTimeout(resolve, 40))
    return base.update(id, from, patch)
  }
  const engine = new TaskEngine({ store: slow, signals: new MemoryTaskSignals(), leaseTimeout: 9, ownsState: false })
  t.teardown(async () => { await engine.close(); await base.close() })
  const task = await engine.start({ owner: '', method: 'tools/call', protocolVersion: '2026-07-28', ttlMs: 60_000, toolErrorFails: false },
    () => new Promise((resolve) => setTimeout(() => resolve({ content: [] }), 15)), quiet)
  await new Promise((resolve) => setTimeout(resolve, 80))
  t.equal((await base.get(task.id))?.status, 'completed')
  t.equal(engine.size, 0)
})

test('lease renewals the store refuses are tried again; the task lives on and completes', async (t) => {
  const base = new MemoryTaskStore()
  const flaky: TaskStore = Object.create(base)
  let refused = 0
  // A shared store that is down for the first renewals, then answers again.
  flaky.update = async (id, from, patch) => {
    if (patch.leaseUntil !== undefined && refused < 3) {
      refused++
      throw new Error('store unreachable')
    }
    return base.update(id, from, patch)
  }
  const engine = new TaskEngine({ store: flaky, signals: new MemoryTaskSignals(), leaseTimeout: 40, ownsState: false })
  t.teardown(async () => { await engine.close(); await base.close() })
  const keepAlive = setInterval(() => {}, 1000)
  t.teardown(() => clearInterval(keepAlive))
  const task = await engine.start({ owner: '', method: 'tools/call', protocolVersion: '2026-07-28', ttlMs: 60_000, toolErrorFails: false },
    () => new Promise((resolve) => setTimeout(() => resolve({ content: [] }), 200)), quiet)
  for (let i = 0; i < 100 && refused < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(refused, 3, 'three renewals failed')
  t.equal(engine.size, 1, 'the runner kept going')
  for (let i = 0; i < 100 && engine.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal((await base.get(task.id))?.status, 'completed')
})

test('a task that vanishes while tasks/result waits for it answers -32602', async (t) => {
  const store = new MemoryTaskStore()
  t.teardown(() => store.close())
  // A lease long enough that a loaded machine's lag cannot expire it before the delete.
  const app = await buildApp({ tasks: { store, signals: new MemoryTaskSignals(), leaseTimeout: 300 } }, taskServer())
  t.teardown(() => app.close())
  // Nothing listens: keep the loop alive while the engine's unref'd timers do their work.
  const keepAlive = setInterval(() => {}, 1000)
  t.teardown(() => clearInterval(keepAlive))
  const init = await post(app, initializeBody())
  const id = init.headers['mcp-session-id'] as string
  const created = (await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'slow', arguments: { ms: 60_000 }, task: {} } }, sessionHeaders(id))).json()
  const taskId = created.result.task.taskId
  setTimeout(() => { void store.delete(taskId) }, 30)
  const result = (await post(app, { jsonrpc: '2.0', id: 3, method: 'tasks/result', params: { taskId } }, sessionHeaders(id))).json()
  t.equal(result.error.code, -32602)
})

test('ResultWaiters: a waiter there now, the next one to come, and a wait given up', async (t) => {
  const waiters = new ResultWaiters()
  const context = { method: 'tasks/result' } as unknown as RequestContext
  const remove = waiters.add('a', context)
  t.equal(await waiters.next('a', new AbortController().signal), context, 'one there now')
  remove()
  remove()
  const controller = new AbortController()
  const coming = waiters.next('b', controller.signal)
  const second = waiters.next('b', new AbortController().signal)
  waiters.add('b', context)
  t.equal(await coming, context, 'the next to come')
  t.equal(await second, context)
  const given = new AbortController()
  const giving = waiters.next('c', given.signal)
  const other = new AbortController()
  const staying = waiters.next('c', other.signal)
  given.abort(new Error('cancelled'))
  await t.rejects(giving, { message: 'cancelled' })
  other.abort(new Error('also'))
  await t.rejects(staying, { message: 'also' })
  await t.rejects(waiters.next('d', given.signal), { message: 'cancelled' }, 'already aborted')
  waiters.add('c', context)
  t.pass('no waiter is left for c')
})

test('memory signals: removing a listener after close is harmless', async (t) => {
  const signals = new MemoryTaskSignals()
  const off = await signals.subscribe('a', () => {})
  await signals.close()
  off()
  t.equal(signals.size, 0)
})

test('modern tools/call for a task-capable tool from a client without the extension stays a plain call even with the engine', async (t) => {
  const app = await buildApp({}, taskServer())
  t.teardown(() => app.close())
  const res = (await modernRequest(app, 'tools/call', { name: 'asks', arguments: {} }, { capabilities: { elicitation: {} } })).json().result
  t.equal(res.resultType, 'input_required', 'an ordinary MRTR round')
})

test('a listen stream whose task watch cannot be set up still opens and acknowledges', async (t) => {
  const store = new MemoryTaskStore()
  t.teardown(() => store.close())
  const signals = new MemoryTaskSignals()
  signals.subscribe = async () => { throw new Error('bus down') }
  const app = await buildApp({ tasks: { store, signals } }, taskServer())
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const stream = await listenFor(port, ['t1'], 3)
  t.equal(stream.res.status, 200)
  t.match(new TextDecoder().decode((await stream.reader.read()).value), /subscriptions\/acknowledged/)
  stream.abort()
})
