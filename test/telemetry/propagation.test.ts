// Trace context carried out of the server: in the _meta of what the server's host API
// sends (notify, broadcast, publish, request), and in plain objects carried between
// instances (the shared-state bus), so a notification caused on one instance and written
// on another stays in one trace.
import { test } from 'tap'
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api'
import type { McpServerHost } from '../../lib/index.js'
import { loadTelemetry } from '../../lib/telemetry/load-telemetry.js'
import { buildApp } from '../helpers.js'
import { HttpSession, listen } from '../server/http-client.js'
import { setupOtel, traceparentOf } from './otel-harness.js'
import { telemetryServer } from './telemetry-fixtures.js'

function recordingHost (): { host: McpServerHost, sent: unknown[] } {
  const sent: unknown[] = []
  return {
    sent,
    host: {
      notify: (_id, notification) => { sent.push(notification); return true },
      broadcast: (notification) => { sent.push(notification); return 1 },
      publish: (notification) => { sent.push(notification); return 1 },
      notifySubscribers: (_uri, notification) => { sent.push(notification); return 1 },
      subscribe: (id, uri) => { sent.push(['subscribe', id, uri]) },
      request: async (_id, method, params) => { sent.push({ method, params }); return {} }
    }
  }
}

test('the host API stamps the active context on notifications and requests, keeping their _meta', async (t) => {
  const otel = setupOtel()
  const telemetry = await loadTelemetry(otel)
  const { host, sent } = recordingHost()
  const stamped = telemetry.host(host)
  const span = otel.tracerProvider.getTracer('t').startSpan('work')
  const traceparent = traceparentOf(span)
  await context.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
    stamped.notify('s', { method: 'notifications/resources/updated', params: { uri: 'x://a' } })
    stamped.broadcast({ method: 'notifications/tools/list_changed' })
    stamped.publish!({ method: 'notifications/resources/updated', params: { uri: 'x://b', _meta: { 'example.com/k': 1 } } })
    stamped.notifySubscribers!('x://c', { method: 'notifications/resources/updated', params: { uri: 'x://c' } })
    stamped.subscribe!('s', 'x://c')
    await stamped.request('s', 'roots/list', undefined)
  })
  t.same(sent, [
    { method: 'notifications/resources/updated', params: { uri: 'x://a', _meta: { traceparent } } },
    { method: 'notifications/tools/list_changed', params: { _meta: { traceparent } } },
    { method: 'notifications/resources/updated', params: { uri: 'x://b', _meta: { 'example.com/k': 1, traceparent } } },
    { method: 'notifications/resources/updated', params: { uri: 'x://c', _meta: { traceparent } } },
    ['subscribe', 's', 'x://c'],
    { method: 'roots/list', params: { _meta: { traceparent } } }
  ])
})

test('outside any span, a traceparent of the sender\'s own, and a host without publish or notifySubscribers: sent as they are', async (t) => {
  const otel = setupOtel()
  const telemetry = await loadTelemetry(otel)
  const { host, sent } = recordingHost()
  delete host.publish
  delete host.notifySubscribers
  const stamped = telemetry.host(host)
  t.equal(stamped.publish, undefined)
  t.equal(stamped.notifySubscribers, undefined)
  stamped.broadcast({ method: 'notifications/tools/list_changed' })
  const own = { method: 'notifications/message', params: { level: 'info', data: 'x', _meta: { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' } } }
  const span = otel.tracerProvider.getTracer('t').startSpan('work')
  context.with(trace.setSpan(ROOT_CONTEXT, span), () => stamped.notify('s', own))
  t.same(sent, [{ method: 'notifications/tools/list_changed' }, own])
  t.equal(sent[1], own, 'the very same message')
})

test('a list_changed broadcast and a standalone request reach a real client with the context in _meta', async (t) => {
  const otel = setupOtel()
  const server = telemetryServer()
  const url = await listen(t, await buildApp({ telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, propagator: otel.propagator } }, server))
  const session = await HttpSession.open(url, { roots: {} })
  const stream = await session.listen()
  t.teardown(() => stream.close())
  const span = otel.tracerProvider.getTracer('t').startSpan('admin change')
  const traceparent = traceparentOf(span)
  const asked = context.with(trace.setSpan(ROOT_CONTEXT, span), () => {
    server.tool('late', {}, () => 'x')
    return server.request(session.id, 'roots/list')
  })
  t.same(await stream.next(), { jsonrpc: '2.0', method: 'notifications/tools/list_changed', params: { _meta: { traceparent } } })
  const request = await stream.next()
  t.same(request.params, { _meta: { traceparent } })
  await session.post({ jsonrpc: '2.0', id: request.id, result: { roots: [] } })
  t.same(await asked, { roots: [] })
})

test('across instances: context injected into a bus message on A continues on B', async (t) => {
  const otel = setupOtel()
  const a = await loadTelemetry(otel)
  const b = await loadTelemetry(otel)
  const span = otel.tracerProvider.getTracer('a').startSpan('tools/call notify')
  // On A: what a bus message would carry next to its payload.
  const carried = JSON.parse(JSON.stringify({ payload: 'wake', trace: context.with(trace.setSpan(ROOT_CONTEXT, span), () => a.inject()) }))
  t.same(Object.keys(carried.trace), ['traceparent'])
  // On B: the notification it writes to its client, in the carried context.
  const written = context.with(b.extract(carried.trace), () => b.stamp({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'x' } }))
  t.equal(written.params!._meta!.traceparent, traceparentOf(span), 'one trace across the two instances')
  t.same(b.inject({}, b.extract({})), {}, 'an empty carrier holds no context')
})
