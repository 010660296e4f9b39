// The TaskStore contract every store keeps (memory and Redis run the same tests): the
// compare-and-set transitions, terminal stays terminal, input keys, caps, and paging.
import { TaskCapacityError, TaskCursorError, type TaskRecord, type TaskStore } from '../../lib/index.js'

export interface StoreLimits { maxTasks?: number, maxTasksPerOwner?: number, sweepInterval?: number }

export function record (id: string, overrides: Partial<TaskRecord> = {}): TaskRecord {
  const now = Date.now()
  return {
    id,
    owner: 'alice',
    method: 'tools/call',
    protocolVersion: '2026-07-28',
    status: 'working',
    createdAt: now,
    lastUpdatedAt: now,
    ttlMs: 60_000,
    inputRequests: {},
    inputResponses: {},
    usedKeys: [],
    leaseUntil: now + 30_000,
    ...overrides
  }
}

/** Registers the contract's tests with `test`, each on a store `make` builds. */
export function taskStoreContract (test: (name: string, fn: (t: any) => Promise<void>) => unknown, make: (limits?: StoreLimits) => TaskStore): void {
  test('create then get returns a copy; the store keeps its own', async (t) => {
    const store = make()
    t.teardown(() => store.close())
    const task = record('a')
    await store.create(task)
    task.status = 'failed'
    const got = await store.get('a')
    t.equal(got?.status, 'working', 'changing the created object does not change the stored task')
    got!.status = 'completed'
    t.equal((await store.get('a'))?.status, 'working', 'changing a read copy does not either')
    t.equal(await store.get('nope'), undefined)
  })

  test('create keeps every field a new task may have, and get gives them back unchanged', async (t) => {
    const store = make()
    t.teardown(() => store.close())
    const full = record('full', {
      sessionId: 'session-1',
      status: 'input_required',
      statusMessage: 'waiting for you',
      pollIntervalMs: 250,
      ttlMs: null,
      inputRequests: { confirm: { method: 'elicitation/create', params: { message: 'Sure?' } } },
      usedKeys: ['confirm', 'earlier']
    })
    await store.create(full)
    t.same(await store.get('full'), full)
    const bare = record('bare')
    await store.create(bare)
    const got = await store.get('bare')
    t.same(got, bare)
    for (const field of ['sessionId', 'statusMessage', 'pollIntervalMs', 'result', 'error']) t.notOk(field in got!, `no ${field} it was not given`)
  })

  test('update is a compare-and-set on status: exactly one of two racing terminal changes wins', async (t) => {
    const store = make()
    t.teardown(() => store.close())
    await store.create(record('a'))
    const [completed, cancelled] = await Promise.all([
      store.update('a', ['working', 'input_required'], { status: 'completed', result: { content: [] } }),
      store.update('a', ['working', 'input_required'], { status: 'cancelled' })
    ])
    t.equal(completed?.status, 'completed', 'the first change applied')
    t.equal(cancelled, undefined, 'the second found the task terminal and changed nothing')
    t.equal((await store.get('a'))?.status, 'completed')
    t.equal(await store.update('zzz', ['working'], { status: 'failed' }), undefined, 'an unknown id changes nothing')
  })

  test('a terminal task never changes again, and a lease-only update keeps lastUpdatedAt', async (t) => {
    const store = make()
    t.teardown(() => store.close())
    await store.create(record('a', { lastUpdatedAt: 1 }))
    const renewed = await store.update('a', ['working'], { leaseUntil: 42 })
    t.equal(renewed?.leaseUntil, 42)
    t.equal(renewed?.lastUpdatedAt, 1, 'a lease renewal is not an update the client sees')
    const failed = await store.update('a', ['working'], { status: 'failed', error: { code: -32603, message: 'x' } })
    t.ok(failed!.lastUpdatedAt > 1)
    t.equal(await store.update('a', ['working', 'input_required'], { status: 'completed' }), undefined)
    t.equal(await store.requestInput('a', 'k', { method: 'elicitation/create' }), undefined, 'no input for a terminal task')
    t.same(await store.answerInput('a', { k: { action: 'accept' } }), [], 'no answers for a terminal task')
  })

  test('input requests: input_required while any key is outstanding, answers only for outstanding keys, once', async (t) => {
    const store = make()
    t.teardown(() => store.close())
    await store.create(record('a'))
    await store.requestInput('a', 'one', { method: 'elicitation/create', params: { message: '1?' } })
    const two = await store.requestInput('a', 'two', { method: 'elicitation/create' })
    t.equal(two?.status, 'input_required')
    t.same(Object.keys(two!.inputRequests), ['one', 'two'])
    t.same(await store.answerInput('a', { one: { action: 'accept' }, never: { action: 'accept' } }), ['one'], 'an unknown key is ignored')
    const partial = await store.get('a')
    t.equal(partial?.status, 'input_required', 'one key is still outstanding')
    t.same(Object.keys(partial!.inputRequests), ['two'])
    t.same(await store.answerInput('a', { one: { action: 'decline' } }), [], 'an answered key is not answered twice')
    t.same((await store.get('a'))?.inputResponses.one, { action: 'accept' })
    t.same(await store.answerInput('a', { two: { action: 'accept' } }), ['two'])
    t.equal((await store.get('a'))?.status, 'working', 'with nothing outstanding the task works again')
    await t.rejects(store.requestInput('a', 'one', { method: 'elicitation/create' }), /already used/, 'a key is unique for the task\'s life')
    t.equal(await store.requestInput('nope', 'x', { method: 'roots/list' }), undefined)
    t.same(await store.answerInput('nope', { x: {} }), [])
  })

  test('caps: maxTasks in all (expired tasks swept first), maxTasksPerOwner live tasks', async (t) => {
    const store = make({ maxTasks: 2, maxTasksPerOwner: 1 })
    t.teardown(() => store.close())
    await store.create(record('a'))
    const owner = await store.create(record('b')).catch((err: unknown) => err)
    t.ok(owner instanceof TaskCapacityError && owner.scope === 'owner' && owner.limit === 1, 'alice has her one live task')
    t.match((owner as Error).message, /maxTasksPerOwner/)
    await store.update('a', ['working'], { status: 'completed' })
    await store.create(record('b'))
    t.pass('a finished task frees its owner\'s slot')
    const server = await store.create(record('c', { owner: 'bob' })).catch((err: unknown) => err)
    t.ok(server instanceof TaskCapacityError && server.scope === 'server', 'two tasks in all')
    t.match((server as Error).message, /maxTasks\)/)
    await store.delete('a')
    await store.update('b', ['working'], { status: 'cancelled' })
    await store.create(record('c', { owner: 'bob', createdAt: Date.now() - 10, ttlMs: 5 }))
    await new Promise((resolve) => setTimeout(resolve, 10))
    await store.create(record('d', { owner: 'bob' }))
    t.pass('an expired task does not hold a slot: create swept it')
    t.equal(await store.delete('a'), false)
  })

  test('list: the owner\'s tasks oldest first, a page at a time, with an opaque cursor', async (t) => {
    const store = make()
    t.teardown(() => store.close())
    const start = Date.now()
    for (let i = 0; i < 5; i++) await store.create(record(`t${i}`, { createdAt: start + i, owner: i === 2 ? 'bob' : 'alice' }))
    await store.create(record('gone', { createdAt: start - 10_000, ttlMs: 1 }))
    const first = await store.list('alice', undefined, 2)
    t.same(first.tasks.map((task) => task.id), ['t0', 't1'])
    t.type(first.nextCursor, 'string')
    const second = await store.list('alice', first.nextCursor, 2)
    t.same(second.tasks.map((task) => task.id), ['t3', 't4'], 'bob\'s task is not listed')
    t.equal(second.nextCursor, undefined, 'the last page has no cursor')
    await store.delete('t1')
    const after = await store.list('alice', first.nextCursor, 10)
    t.same(after.tasks.map((task) => task.id), ['t3', 't4'], 'a cursor whose task is gone still pages on by time')
    const bad = await store.list('alice', 'not-a-cursor', 2).catch((err: unknown) => err)
    t.ok(bad instanceof TaskCursorError, 'a cursor that is not one of ours is refused')
    t.match((bad as Error).message, /Invalid cursor/)
    const shape = await store.list('alice', Buffer.from('[1]').toString('base64url'), 2).catch((err: unknown) => err)
    t.ok(shape instanceof TaskCursorError, 'so is valid JSON of the wrong shape')
  })

}
