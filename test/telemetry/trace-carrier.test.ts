// A `_meta` object as a propagation carrier: propagators that enumerate keys see them all,
// and only string values are trace context.
import { test } from 'tap'
import { carrierGetter, carrierSetter, isCarrier } from '../../lib/telemetry/trace-carrier.js'

test('the getter lists every key and reads only strings; the setter writes', async (t) => {
  const meta: Record<string, unknown> = { traceparent: '00-a-b-01', progressToken: 7, 'io.modelcontextprotocol/clientCapabilities': {} }
  t.same(carrierGetter.keys(meta), ['traceparent', 'progressToken', 'io.modelcontextprotocol/clientCapabilities'])
  t.equal(carrierGetter.get(meta, 'traceparent'), '00-a-b-01')
  t.equal(carrierGetter.get(meta, 'progressToken'), undefined, 'a number is not trace context')
  t.equal(carrierGetter.get(meta, 'baggage'), undefined)
  carrierSetter.set(meta, 'baggage', 'k=v')
  t.equal(meta.baggage, 'k=v')
})

test('only a plain object is a carrier', async (t) => {
  t.same([{}, [], null, 'x', undefined].map(isCarrier), [true, false, false, false, false])
})
