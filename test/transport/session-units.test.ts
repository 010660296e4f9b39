// The small contracts the session layer's callers rely on, checked on the classes
// themselves: a cancellation's reason is its first, a session's answers wait for every save
// under way, and ending a session twice tells the store once.
import { test } from 'tap'
import { Cancellation } from '../../lib/protocol/cancellation.js'
import { Session } from '../../lib/sessions/session.js'
import { SessionRegistry } from '../../lib/sessions/session-registry.js'
import type { SessionStore } from '../../lib/state/session-store.js'

function deferred (): { promise: Promise<void>, resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => { resolve = r })
  return { promise, resolve }
}

test('a signal asked for after the abort is already aborted, with the first reason', async (t) => {
  const cancellation = new Cancellation()
  let woken = 0
  cancellation.onAbort(() => { woken++ })
  cancellation.abort('first')
  cancellation.abort('second')
  t.equal(woken, 1, 'the waiter hears one abort')
  t.equal(cancellation.reason, 'first')
  const signal = cancellation.signal
  t.ok(signal.aborted)
  t.equal(signal.reason, 'first')
  t.equal(cancellation.signal, signal, 'one signal per request')
})

test('answers wait for every record save under way, and saving clears once all settled', async (t) => {
  const session = new Session('s', Date.now())
  const first = deferred()
  const second = deferred()
  const saves = [first.promise, second.promise]
  session.record = { saveField: () => saves.shift()! }
  session.changed('logLevel')
  session.changed('hello')
  const saving = session.saving!
  let settled = false
  void saving.then(() => { settled = true })
  second.resolve()
  await new Promise((resolve) => setImmediate(resolve))
  t.notOk(settled, 'the second save is done, the first is not: still saving')
  first.resolve()
  await saving
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(session.saving, null)
})

test('ending a session twice ends it once: the store hears of it one time', async (t) => {
  const ended: string[] = []
  const store: SessionStore = {
    create () {},
    load () { return undefined },
    saveField () { return Promise.resolve() },
    saveSubscription () { return Promise.resolve() },
    touch () {},
    end (session) { ended.push(session.id) },
    release () {}
  }
  const closed: string[] = []
  const registry = new SessionRegistry({ maxSessions: 10, sessionTimeout: 0, store, onClose: (s) => closed.push(s.id) })
  const session = registry.create()
  registry.terminate(session)
  registry.terminate(session)
  t.same(ended, [session.id])
  t.same(closed, [session.id])
  t.equal(registry.size, 0)
})
