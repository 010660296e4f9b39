import { EventEmitter } from 'node:events'
import { test } from 'tap'
import { SseStream, formatEvent } from '../../lib/streams/sse-stream.js'

/** A ServerResponse stand-in whose write() reports backpressure when told to. */
class FakeResponse extends EventEmitter {
  written: string[] = []
  ended = false
  destroyed = false
  full = false
  write (chunk: string): boolean {
    this.written.push(chunk)
    return !this.full
  }

  socketDestroyed = false
  socket = { destroy: () => { this.socketDestroyed = true } }
  end (chunk: string, done?: () => void): void {
    if (chunk !== '') this.written.push(chunk)
    this.ended = true
    done?.()
  }

  destroy (): void {
    this.destroyed = true
  }
}

function make (maxQueue = 1000) {
  const raw = new FakeResponse()
  const closed: string[] = []
  const stream = new SseStream(raw as any, maxQueue, (s) => closed.push(s.closeReason!))
  return { raw, stream, closed }
}

test('formatEvent writes id, retry, event and one data line', async (t) => {
  t.equal(formatEvent({ data: '{}' }), 'data: {}\n\n')
  t.equal(formatEvent({ id: '7', retry: 1000, event: 'message', data: '{"a":1}' }), 'id: 7\nretry: 1000\nevent: message\ndata: {"a":1}\n\n')
  t.equal(formatEvent({ id: 'p', data: '' }), 'id: p\ndata: \n\n')
})

test('messages are written at once as message events', async (t) => {
  const { raw, stream } = make()
  t.equal(stream.send({ jsonrpc: '2.0', method: 'x' }), true)
  t.same(raw.written, ['event: message\ndata: {"jsonrpc":"2.0","method":"x"}\n\n'])
  t.equal(stream.send({ a: 1 }, 'e1'), true)
  t.equal(raw.written[1], 'id: e1\nevent: message\ndata: {"a":1}\n\n')
  t.equal(stream.event({ event: 'endpoint', data: '/messages' }), true)
  t.equal(raw.written[2], 'event: endpoint\ndata: /messages\n\n')
})

test('after write() returns false, events queue in order until drain', async (t) => {
  const { raw, stream } = make()
  raw.full = true
  stream.write('a')
  t.equal(stream.congested, true)
  stream.write('b')
  stream.write('c')
  stream.comment()
  t.same(raw.written, ['a'], 'queued, and heartbeats skipped while congested')
  raw.full = false
  raw.emit('drain')
  t.same(raw.written, ['a', 'b', 'c'])
  t.equal(stream.congested, false)
})

test('a drain that fills up again keeps the rest queued', async (t) => {
  const { raw, stream } = make()
  raw.full = true
  stream.write('a')
  stream.write('b')
  stream.write('c')
  stream.write('d')
  raw.emit('drain') // still full: 'b' goes out and reports backpressure
  t.same(raw.written, ['a', 'b'])
  t.equal(stream.congested, true)
  raw.full = false
  raw.emit('drain')
  t.same(raw.written, ['a', 'b', 'c', 'd'])
})

test('a drain with nothing queued does nothing', async (t) => {
  const { raw, stream } = make()
  raw.emit('drain')
  t.same(raw.written, [])
  stream.comment('hb')
  t.same(raw.written, [':hb\n\n'])
})

test('a reader that stays behind past the bound gets its stream closed', async (t) => {
  const { raw, stream, closed } = make(10)
  raw.full = true
  stream.write('first')
  t.equal(stream.write('12345'), true)
  t.equal(stream.write('123456'), false, 'over the bound')
  t.equal(raw.destroyed, true)
  t.same(closed, ['overflow'])
  t.equal(stream.write('more'), false, 'closed streams take nothing')
})

test('end() flushes what is queued, then ends; onClose runs once', async (t) => {
  const { raw, stream, closed } = make()
  raw.full = true
  stream.write('a')
  stream.write('b')
  stream.write('c')
  stream.end()
  stream.end()
  t.equal(raw.ended, true)
  t.same(raw.written, ['a', 'bc'])
  t.same(closed, ['end'])
  raw.emit('close')
  t.same(closed, ['end'], 'the later socket close is not a second close')
  t.equal(raw.listenerCount('drain'), 0)
  t.equal(raw.listenerCount('close'), 0)
})

test('during shutdown the connection is closed after the last bytes', async (t) => {
  const { raw, stream } = make()
  stream.closeConnection = true
  stream.end()
  t.equal(raw.ended, true)
  t.equal(raw.socketDestroyed, true)
})

test('a response that already lost its socket just ends', async (t) => {
  const { raw, stream } = make()
  ;(raw as any).socket = null
  stream.closeConnection = true
  stream.end()
  t.equal(raw.ended, true)
})

test('a client that goes away closes the stream with reason client', async (t) => {
  const { raw, stream, closed } = make()
  raw.emit('close')
  t.same(closed, ['client'])
  t.equal(stream.closed, true)
  t.equal(stream.send({}), false)
  stream.comment()
  t.same(raw.written, [])
  stream.end()
  t.equal(raw.ended, false, 'nothing to end on a closed socket')
})
