// The channel a traced request's handler sends on: requests and notifications get the
// request's context in _meta; everything else passes through to the real channel as is.
import { test } from 'tap'
import type { FastifyRequest } from 'fastify'
import { SpanKind, trace, ROOT_CONTEXT } from '@opentelemetry/api'
import type { JsonRpcMessage, JsonRpcResponse } from '../../lib/protocol/jsonrpc.js'
import type { OutboundChannel } from '../../lib/protocol/outbound-channel.js'
import { loadTelemetry } from '../../lib/telemetry/load-telemetry.js'
import { TracedChannel } from '../../lib/telemetry/traced-channel.js'
import { setupOtel, traceparentOf } from './otel-harness.js'

function recording (closeConnection?: () => boolean): OutboundChannel & { log: unknown[] } {
  const log: unknown[] = []
  const channel: OutboundChannel & { log: unknown[] } = {
    log,
    request: { id: 'http-request' } as unknown as FastifyRequest,
    send: (message: JsonRpcMessage) => { log.push(['send', message]); return true },
    respond: (response: JsonRpcResponse) => { log.push(['respond', response]) },
    abandon: () => { log.push(['abandon']) }
  }
  if (closeConnection !== undefined) channel.closeConnection = closeConnection
  return channel
}

test('send stamps requests and notifications; responses, respond and abandon pass through', async (t) => {
  const otel = setupOtel()
  const telemetry = await loadTelemetry(otel)
  const span = otel.tracerProvider.getTracer('t').startSpan('tools/call x', { kind: SpanKind.SERVER })
  const inner = recording()
  const channel = new TracedChannel(inner, telemetry, trace.setSpan(ROOT_CONTEXT, span))
  t.equal(channel.request, inner.request, 'the HTTP request is the real channel\'s')
  const traceparent = traceparentOf(span)
  const response: JsonRpcResponse = { jsonrpc: '2.0', id: 1, result: {} }
  t.equal(channel.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } }), true)
  channel.send({ jsonrpc: '2.0', id: 0, method: 'sampling/createMessage', params: { messages: [] } })
  channel.send(response)
  channel.respond(response)
  channel.abandon()
  t.same(inner.log, [
    ['send', { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1, _meta: { traceparent } } }],
    ['send', { jsonrpc: '2.0', id: 0, method: 'sampling/createMessage', params: { messages: [], _meta: { traceparent } } }],
    ['send', response],
    ['respond', response],
    ['abandon']
  ])
  t.equal((inner.log[2] as unknown[])[1], response, 'a response is never rewritten')
})

test('closeConnection is the real channel\'s, or false where it has none', async (t) => {
  const otel = setupOtel()
  const telemetry = await loadTelemetry(otel)
  t.equal(new TracedChannel(recording(() => true), telemetry, ROOT_CONTEXT).closeConnection(), true)
  t.equal(new TracedChannel(recording(), telemetry, ROOT_CONTEXT).closeConnection(), false)
})
