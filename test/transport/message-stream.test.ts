import { test } from 'tap'
import { MessageStream } from '../../lib/streams/message-stream.js'

function stream () {
  const written: string[] = []
  const s = new MessageStream({ sessionId: 's', store: null, priming: false, retryInterval: 1000, log: console as any })
  s.connection = { write: (chunk: string) => { written.push(chunk); return true } } as any
  return { s, written }
}

test('one message sent to many streams is serialized once per turn, and correctly', async (t) => {
  const a = stream()
  const b = stream()
  const shared = { jsonrpc: '2.0' as const, method: 'notifications/tools/list_changed' }
  a.s.send(shared)
  b.s.send(shared)
  a.s.send({ jsonrpc: '2.0', method: 'other' })
  b.s.send(shared)
  t.same(a.written, ['event: message\ndata: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\n\n', 'event: message\ndata: {"jsonrpc":"2.0","method":"other"}\n\n'])
  t.equal(b.written[0], b.written[1])
})

test('a message changed on a later turn is serialized afresh', async (t) => {
  const a = stream()
  const message: any = { jsonrpc: '2.0', method: 'x', params: { n: 1 } }
  a.s.send(message)
  await Promise.resolve()
  message.params.n = 2
  a.s.send(message)
  t.match(a.written[1], /"n":2/)
})

test('a finished stream takes no more messages: send says so and writes nothing', async (t) => {
  const a = stream()
  let ended = 0
  a.s.connection!.end = () => { ended++ }
  a.s.finish()
  t.equal(ended, 1, 'its connection ended')
  t.equal(a.s.send({ jsonrpc: '2.0', method: 'late' }), false)
  t.same(a.written, [])
})
