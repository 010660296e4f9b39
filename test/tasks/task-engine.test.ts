// The task engine on the memory store: every state change, cancellation racing completion,
// a dead runner's lease, input answered by update, and close() releasing what it holds.
import { test, type Test } from 'tap'
import type { FastifyBaseLogger } from 'fastify'
import { McpError, MemoryTaskSignals, MemoryTaskStore, type TaskRecord } from '../../lib/index.js'
import { LEASE_EXPIRED_MESSAGE, SHUTDOWN_MESSAGE, TaskEngine, type TaskRun, type TaskStartOptions } from '../../lib/tasks/task-engine.js'

const OPTIONS: TaskStartOptions = { owner: 'alice', method: 'tools/call', protocolVersion: '2026-07-28', ttlMs: 60_000, pollIntervalMs: 100, toolErrorFails: false }

function quietLog (errors: unknown[] = []): FastifyBaseLogger {
  const log = { error: (obj: unknown) => { errors.push(obj) }, warn () {}, info () {}, debug () {}, trace () {}, fatal () {}, child: () => log, level: 'error' }
  return log as unknown as FastifyBaseLogger
}

function setup (t: Test, leaseTimeout = 30_000, store = new MemoryTaskStore()): { engine: TaskEngine, store: MemoryTaskStore, signals: MemoryTaskSignals } {
  const signals = new MemoryTaskSignals()
  const engine = new TaskEngine({ store, signals, leaseTimeout, ownsState: true })
  t.teardown(() => engine.close())
  return { engine, store, signals }
}

/** Polls engine.get until the task is terminal. */
async function settled (engine: TaskEngine, id: string, owner = 'alice'): Promise<TaskRecord> {
  for (;;) {
    const task = await engine.get(id, owner)
    if (task === undefined || ['completed', 'failed', 'cancelled'].includes(task.status)) return task!
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function deferred<T> (): { promise: Promise<T>, resolve: (value: T) => void, reject: (err: unknown) => void } {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

test('start stores the task before it resolves; working, then completed with the result', async (t) => {
  const { engine, store } = setup(t)
  const gate = deferred<void>()
  const task = await engine.start(OPTIONS, async () => { await gate.promise; return { content: [{ type: 'text', text: 'done' }] } }, quietLog())
  t.match(task.id, /^[0-9a-f-]{36}$/, 'a random UUID')
  t.equal(task.status, 'working')
  t.same(await store.get(task.id), task, 'durable: the store has it when start resolves')
  t.equal(engine.size, 1)
  gate.resolve()
  const done = await settled(engine, task.id)
  t.equal(done.status, 'completed')
  t.same(done.result, { content: [{ type: 'text', text: 'done' }] })
  t.equal(engine.size, 0, 'the runner let go of it')
})

test('a tool error is completed in 2026-07-28 and failed in 2025-11-25; a JSON-RPC error fails; a crash fails with -32603', async (t) => {
  const { engine } = setup(t)
  const isError = { content: [{ type: 'text', text: 'bad' }], isError: true }
  const modern = await engine.start(OPTIONS, async () => isError, quietLog())
  t.equal((await settled(engine, modern.id)).status, 'completed')
  const legacy = await engine.start({ ...OPTIONS, toolErrorFails: true }, async () => isError, quietLog())
  const failedLegacy = await settled(engine, legacy.id)
  t.equal(failedLegacy.status, 'failed')
  t.same(failedLegacy.result, isError, 'the result is kept for tasks/result')
  const rpc = await engine.start(OPTIONS, async () => { throw new McpError(-32602, 'no such thing', { why: 1 }) }, quietLog())
  const rpcFailed = await settled(engine, rpc.id)
  t.same(rpcFailed.error, { code: -32602, message: 'no such thing', data: { why: 1 } })
  t.equal(rpcFailed.result, undefined)
  const errors: unknown[] = []
  const crash = await engine.start(OPTIONS, async () => { throw new Error('secret detail') }, quietLog(errors))
  const crashed = await settled(engine, crash.id)
  t.same(crashed.error, { code: -32603, message: 'Internal error' }, 'internals stay in the log')
  t.equal(errors.length, 1)
  const plain = await engine.start(OPTIONS, async () => { throw new McpError(-32603, 'plain') }, quietLog())
  t.same((await settled(engine, plain.id)).error, { code: -32603, message: 'plain' }, 'no data key when the error has none')
})

test('cancel racing completion: exactly one wins, and the loser changes nothing', async (t) => {
  const { engine } = setup(t)
  const winners = new Set<string>()
  for (let i = 0; i < 20; i++) {
    const gate = deferred<void>()
    const task = await engine.start(OPTIONS, async () => { await gate.promise; return { content: [] } }, quietLog())
    // Both at once, in alternating order.
    const cancelling = i % 2 === 0 ? engine.cancel(task.id, 'alice') : Promise.resolve().then(() => engine.cancel(task.id, 'alice'))
    gate.resolve()
    const outcome = await cancelling
    const final = await settled(engine, task.id)
    t.equal(final.status, outcome.cancelled ? 'cancelled' : 'completed', `run ${i}: the cancel ${outcome.cancelled ? 'won' : 'lost'}, and the record agrees`)
    if (final.status === 'completed') t.ok(final.result, 'the completion carries its result')
    else t.equal(final.result, undefined, 'a cancelled task has no result')
    winners.add(final.status)
    await new Promise((resolve) => setTimeout(resolve, 2))
    t.equal((await engine.get(task.id, 'alice'))!.status, final.status, 'a terminal task never changes again')
  }
  t.comment(`outcomes seen: ${[...winners].join(', ')}`)
})

test('cancel: cancelled at once, the runner\'s signal aborts, and a finished task is not cancelled', async (t) => {
  const { engine } = setup(t)
  let run: TaskRun | undefined
  const task = await engine.start(OPTIONS, (r) => { run = r; return new Promise((resolve) => r.signal.addEventListener('abort', () => resolve({ content: [] }))) }, quietLog())
  const outcome = await engine.cancel(task.id, 'alice')
  t.ok(outcome.cancelled)
  t.equal(outcome.task?.status, 'cancelled')
  t.equal(outcome.task?.statusMessage, 'The task was cancelled by request')
  t.ok(run!.signal.aborted, 'the handler\'s signal aborted')
  t.equal((await settled(engine, task.id)).status, 'cancelled', 'the handler\'s late answer lost')
  const again = await engine.cancel(task.id, 'alice')
  t.notOk(again.cancelled)
  t.equal(again.task?.status, 'cancelled', 'a terminal task is reported, not changed')
  t.same(await engine.cancel('nope', 'alice'), { cancelled: false, task: undefined })
  t.same(await engine.cancel(task.id, 'mallory'), { cancelled: false, task: undefined }, 'another owner cannot')
})

test('a task belongs to its owner: another owner reads it as unknown', async (t) => {
  const { engine } = setup(t)
  const task = await engine.start(OPTIONS, async () => ({ content: [] }), quietLog())
  t.equal(await engine.get(task.id, 'mallory'), undefined)
  t.equal(await engine.update(task.id, 'mallory', {}), false)
  t.ok(await engine.get(task.id, 'alice'))
})

test('inputs: input_required with the request, answered by update, working again, then done', async (t) => {
  const { engine } = setup(t)
  const task = await engine.start(OPTIONS, async (run) => {
    const answer = await run.requestInput('name', { method: 'elicitation/create', params: { message: 'Name?' } })
    return { content: [{ type: 'text', text: String((answer.content as Record<string, unknown>).name) }] }
  }, quietLog())
  let waiting: TaskRecord | undefined
  while (waiting?.status !== 'input_required') waiting = await engine.get(task.id, 'alice')
  t.same(waiting.inputRequests, { name: { method: 'elicitation/create', params: { message: 'Name?' } } })
  t.ok(await engine.update(task.id, 'alice', { other: { action: 'accept' } }), 'an unknown key is acknowledged and ignored')
  t.equal((await engine.get(task.id, 'alice'))?.status, 'input_required')
  t.ok(await engine.update(task.id, 'alice', { name: { action: 'accept', content: { name: 'Ada' } } }))
  const done = await settled(engine, task.id)
  t.same(done.result, { content: [{ type: 'text', text: 'Ada' }] })
})

test('an input answered without a signal is found by the next lease renewal; a key reused fails the task', async (t) => {
  const { engine, store } = setup(t, 30)
  const task = await engine.start(OPTIONS, async (run) => {
    await run.requestInput('k', { method: 'roots/list' })
    await run.requestInput('k', { method: 'roots/list' })
    return { content: [] }
  }, quietLog())
  // Answer straight in the store (a lost signal): the runner's next renewal looks again.
  while ((await store.get(task.id))?.status !== 'input_required') await new Promise((resolve) => setImmediate(resolve))
  await store.answerInput(task.id, { k: { roots: [] } })
  const done = await settled(engine, task.id)
  t.equal(done.status, 'failed', 'the second use of key k is an error of the handler')
})

test('an input wait ends when the task is cancelled, or vanishes', async (t) => {
  const { engine, store } = setup(t)
  const rejected: unknown[] = []
  const asking = async (run: TaskRun) => {
    try {
      return await run.requestInput('k', { method: 'roots/list' })
    } catch (err) {
      rejected.push(err)
      throw err
    }
  }
  const cancelled = await engine.start(OPTIONS, asking, quietLog())
  while ((await store.get(cancelled.id))?.status !== 'input_required') await new Promise((resolve) => setImmediate(resolve))
  await engine.cancel(cancelled.id, 'alice')
  const vanished = await engine.start(OPTIONS, asking, quietLog())
  while ((await store.get(vanished.id))?.status !== 'input_required') await new Promise((resolve) => setImmediate(resolve))
  await store.delete(vanished.id)
  await engine.signals.publish(vanished.id, { type: 'input' })
  while (rejected.length < 2) await new Promise((resolve) => setTimeout(resolve, 5))
  t.match(rejected, [{ message: /cancelled/ }, { message: /ended while it waited/ }])
  const late = await engine.start(OPTIONS, async (run) => {
    await engine.cancel(run.id, 'alice')
    return run.requestInput('k', { method: 'roots/list' })
  }, quietLog())
  t.equal((await settled(engine, late.id)).status, 'cancelled', 'asking after the cancel fails at once')
  const gone = await engine.start(OPTIONS, async (run) => {
    await store.delete(run.id)
    return run.requestInput('k', { method: 'roots/list' })
  }, quietLog())
  t.equal(await engine.get(gone.id, 'alice'), undefined)
})

test('a store that fails while the runner waits for input fails the wait', async (t) => {
  const { engine, store } = setup(t)
  const seen: unknown[] = []
  const task = await engine.start(OPTIONS, async (run) => {
    try { return await run.requestInput('k', { method: 'roots/list' }) } catch (err) { seen.push(err); throw err }
  }, quietLog())
  while ((await store.get(task.id))?.status !== 'input_required') await new Promise((resolve) => setImmediate(resolve))
  const realGet = store.get.bind(store)
  store.get = async () => { throw new Error('store down') }
  await engine.signals.publish(task.id, { type: 'input' })
  store.get = realGet
  while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  t.match(seen, [{ message: 'store down' }])
})

test('2025-11-25 input: input_required while a direct request is out, counted across concurrent ones', async (t) => {
  const { engine, store } = setup(t)
  const gates = [deferred<void>(), deferred<void>()]
  const task = await engine.start(OPTIONS, async (run) => {
    await Promise.all(gates.map(async (gate) => {
      await run.awaitingInput(true)
      await gate.promise
      await run.awaitingInput(false)
    }))
    await run.setStatusMessage('almost')
    return { content: [] }
  }, quietLog())
  while ((await store.get(task.id))?.status !== 'input_required') await new Promise((resolve) => setImmediate(resolve))
  gates[0].resolve()
  await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal((await store.get(task.id))?.status, 'input_required', 'one request is still out')
  gates[1].resolve()
  const done = await settled(engine, task.id)
  t.equal(done.status, 'completed')
  t.equal(done.statusMessage, 'almost')
})

test('a dead runner: a reader that finds the lease run out marks the task failed with a clear error', async (t) => {
  const store = new MemoryTaskStore()
  const { engine } = setup(t, 30_000, store)
  // What an instance that crashed leaves behind: a live task nobody renews.
  const now = Date.now()
  await store.create({
    id: 'orphan', owner: 'alice', method: 'tools/call', protocolVersion: '2026-07-28', status: 'working', createdAt: now - 60_000, lastUpdatedAt: now - 60_000,
    ttlMs: 3_600_000, inputRequests: {}, inputResponses: {}, usedKeys: [], leaseUntil: now - 1
  })
  const seen: TaskRecord[] = []
  const unwatch = await engine.watch('orphan', (task) => seen.push(task))
  const task = await engine.get('orphan', 'alice')
  t.equal(task?.status, 'failed')
  t.same(task?.error, { code: -32603, message: LEASE_EXPIRED_MESSAGE })
  t.equal(task?.statusMessage, LEASE_EXPIRED_MESSAGE)
  t.equal(seen[0]?.status, 'failed', 'listeners hear it')
  unwatch()
  // Two readers at once: one marks it, the other reads the result.
  await store.create({ ...task!, id: 'orphan2', status: 'working', leaseUntil: now - 1 })
  const both = await Promise.all([engine.get('orphan2', 'alice'), engine.get('orphan2', 'alice')])
  t.same(both.map((r) => r?.status), ['failed', 'failed'])
})

test('a live runner renews its lease, so its task outlives leaseTimeout; one whose task vanished is aborted', async (t) => {
  const { engine, store } = setup(t, 30)
  let run: TaskRun | undefined
  const gate = deferred<void>()
  const task = await engine.start(OPTIONS, async (r) => { run = r; await gate.promise; return { content: [] } }, quietLog())
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal((await engine.get(task.id, 'alice'))?.status, 'working', 'renewed past three lease periods')
  await store.delete(task.id)
  await new Promise((resolve) => setTimeout(resolve, 40))
  t.ok(run!.signal.aborted, 'its renewal found the task gone and stopped the work')
  t.equal(engine.size, 0)
  gate.resolve()
})

test('waitForTerminal resolves on the change, on a vanished task, and rejects when its signal aborts', async (t) => {
  const { engine } = setup(t, 20)
  // The engine's timers are unref'd (they never hold a process open): keep this one alive.
  const keepAlive = setInterval(() => {}, 1000)
  t.teardown(() => clearInterval(keepAlive))
  const gate = deferred<void>()
  const task = await engine.start(OPTIONS, async () => { await gate.promise; return { content: [] } }, quietLog())
  const waiting = engine.waitForTerminal(task.id, 'alice', new AbortController().signal)
  setTimeout(() => gate.resolve(), 10)
  t.equal((await waiting)?.status, 'completed')
  t.equal(await engine.waitForTerminal('nope', 'alice', new AbortController().signal), undefined)
  // A longer lease from here on, so a loaded machine's lag cannot expire a task under test.
  const slow = setup(t, 300)
  const other = await slow.engine.start(OPTIONS, () => new Promise(() => {}), quietLog())
  const controller = new AbortController()
  const aborted = slow.engine.waitForTerminal(other.id, 'alice', controller.signal)
  setTimeout(() => controller.abort(new Error('client went away')), 10)
  await t.rejects(aborted, { message: 'client went away' })
  const kept = await slow.engine.start(OPTIONS, () => new Promise(() => {}), quietLog())
  const vanishing = slow.engine.waitForTerminal(kept.id, 'alice', new AbortController().signal)
  setTimeout(() => { void slow.store.delete(kept.id) }, 5)
  t.equal(await vanishing, undefined, 'the lease-period look finds it gone')
  const early = new AbortController()
  early.abort(new Error('already'))
  const third = await slow.engine.start(OPTIONS, () => new Promise(() => {}), quietLog())
  await t.rejects(slow.engine.waitForTerminal(third.id, 'alice', early.signal), { message: 'already' })
})

test('past the store\'s cap start fails with -32603 saying which cap; other store errors pass through', async (t) => {
  const { engine } = setup(t, 30_000, new MemoryTaskStore({ maxTasksPerOwner: 1 }))
  await engine.start(OPTIONS, () => new Promise(() => {}), quietLog())
  const err = await engine.start(OPTIONS, async () => ({ content: [] }), quietLog()).catch((e: unknown) => e)
  t.ok(err instanceof McpError)
  t.equal((err as McpError).code, -32603)
  t.match((err as McpError).message, /maximum of 1 live tasks/)
  t.same((err as McpError).data, { limit: 1, scope: 'owner' })
  engine.store.create = async () => { throw new Error('disk full') }
  await t.rejects(engine.start({ ...OPTIONS, owner: 'bob' }, async () => ({ content: [] }), quietLog()), { message: 'disk full' })
})

test('close fails the tasks it runs with a message, aborts their handlers, and releases the state it owns', async (t) => {
  const store = new MemoryTaskStore()
  const signals = new MemoryTaskSignals()
  const engine = new TaskEngine({ store, signals, leaseTimeout: 30_000, ownsState: true })
  let run: TaskRun | undefined
  const task = await engine.start({ ...OPTIONS, sessionId: 's1' }, (r) => { run = r; return new Promise(() => {}) }, quietLog())
  t.equal(task.sessionId, 's1')
  const seen: TaskRecord[] = []
  await engine.watch(task.id, (record) => seen.push(record))
  await engine.close()
  t.ok(run!.signal.aborted)
  t.equal(seen[0]?.status, 'failed')
  t.equal(seen[0]?.statusMessage, SHUTDOWN_MESSAGE)
  t.equal(engine.size, 0)
  t.equal(store.size, 0, 'the store it owns is closed')
  t.equal(signals.size, 0)

  const shared = new MemoryTaskStore()
  t.teardown(() => shared.close())
  const guest = new TaskEngine({ store: shared, signals: new MemoryTaskSignals(), leaseTimeout: 30_000, ownsState: false })
  const kept = await guest.start(OPTIONS, async () => ({ content: [] }), quietLog())
  await settled(guest, kept.id)
  await guest.close()
  t.equal(shared.size, 1, 'a shared store is left to its owner')
})
