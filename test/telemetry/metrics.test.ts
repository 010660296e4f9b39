// mcp.server.operation.duration and mcp.server.session.duration (mcp.md §Metrics), and the
// live counts an operator watches, read from a real SDK MeterProvider.
import { test } from 'tap'
import { DURATION_BUCKETS } from '../../lib/telemetry/semconv.js'
import { ACCEPT_BOTH, initSession, post, sessionHeaders, until } from '../helpers.js'
import { histogramPoints, setupOtel } from './otel-harness.js'
import { telemetryApp, tracedSession } from './telemetry-fixtures.js'

const NETWORK = { 'network.protocol.name': 'http', 'network.protocol.version': '1.1', 'network.transport': 'tcp' }

test('operation.duration: seconds, the advised buckets, low-cardinality attributes only', async (t) => {
  const { otel, app, id } = await tracedSession(t)
  await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'a' } } }, sessionHeaders(id))
  await post(app, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { text: 'b' } } }, sessionHeaders(id))
  const res = await post(app, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'nope' } }, sessionHeaders(id))
  await post(app, { jsonrpc: '2.0', id: 5, method: 'resources/read', params: { uri: 'docs://readme' } }, sessionHeaders(id))
  const metric = (await otel.metrics()).get('mcp.server.operation.duration')!
  t.equal(metric.descriptor.unit, 's')
  const points = histogramPoints(metric)
  const echo = points.find((p) => p.attributes['gen_ai.tool.name'] === 'echo')!
  t.same(echo.attributes, {
    'mcp.method.name': 'tools/call',
    'mcp.protocol.version': '2025-11-25',
    'gen_ai.tool.name': 'echo',
    'gen_ai.operation.name': 'execute_tool',
    ...NETWORK
  }, 'no request id, session id, client address: they would make a series per request')
  t.equal(echo.value.count, 2)
  t.same(echo.value.buckets.boundaries, DURATION_BUCKETS)
  t.ok(echo.value.sum! >= 0 && echo.value.sum! < 5, 'seconds, not milliseconds')
  const code = String(res.json().error.code)
  const failed = points.find((p) => p.attributes['gen_ai.tool.name'] === 'nope')!
  t.equal(failed.attributes['error.type'], code)
  t.equal(failed.attributes['rpc.response.status_code'], code)
  const read = points.find((p) => p.attributes['mcp.method.name'] === 'resources/read')!
  t.notOk('mcp.resource.uri' in read.attributes, 'the resource URI is opt-in on the metric')
})

test('session.duration is recorded once when a session ends, with its version and network', async (t) => {
  const { otel, app, id } = await tracedSession(t)
  t.equal(histogramPoints((await otel.metrics()).get('mcp.server.session.duration')).length, 0, 'nothing while it lives')
  const res = await app.inject({ method: 'DELETE', url: '/mcp', headers: sessionHeaders(id) })
  t.equal(res.statusCode, 200)
  const metric = (await otel.metrics()).get('mcp.server.session.duration')!
  t.equal(metric.descriptor.unit, 's')
  const [point] = histogramPoints(metric)
  t.same(point.attributes, { 'mcp.protocol.version': '2025-11-25', ...NETWORK })
  t.equal(point.value.count, 1)
  t.same(point.value.buckets.boundaries, DURATION_BUCKETS)
})

test('an HTTP+SSE session that never initialized ends without a version to report', async (t) => {
  const otel = setupOtel()
  const app = await telemetryApp(otel)
  const res = await app.inject({ method: 'GET', url: '/sse', headers: { accept: 'text/event-stream' }, payloadAsStream: true })
  t.equal(app.mcpSessions.size, 1)
  await app.close()
  res.stream().destroy()
  const [point] = histogramPoints((await otel.metrics()).get('mcp.server.session.duration'))
  t.same(point.attributes, {}, 'no initialize: no version, no network facts recorded')
})

function gauge (metrics: Map<string, { dataPoints: Array<{ value: unknown }> }>, name: string): unknown {
  return metrics.get(name)?.dataPoints[0]?.value
}

test('live counts: sessions, streams, requests in flight, stored events; nothing after close', async (t) => {
  const otel = setupOtel()
  const app = await telemetryApp(otel)
  const id = await initSession(app)
  const get = await app.inject({ method: 'GET', url: '/mcp', headers: { ...sessionHeaders(id), accept: ACCEPT_BOTH }, payloadAsStream: true })
  const waiting = post(app, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'wait', arguments: { ms: 10_000 } } }, sessionHeaders(id))
  await until(() => app.mcpSessions.list()[0].inflight === 1)
  const live = await otel.metrics()
  t.equal(gauge(live, 'mcp.server.session.active'), 1)
  t.equal(gauge(live, 'mcp.server.stream.active'), 1, 'the GET stream')
  t.equal(gauge(live, 'mcp.server.request.active'), 1)
  t.equal(gauge(live, 'mcp.server.event_store.events'), 1, 'the GET stream\'s priming event')
  t.equal(live.get('mcp.server.session.active')!.descriptor.unit, '{session}')
  get.stream().destroy()
  await app.close()
  await waiting
  const after = await otel.metrics()
  for (const name of ['mcp.server.session.active', 'mcp.server.stream.active', 'mcp.server.request.active', 'mcp.server.event_store.events']) {
    t.equal(gauge(after, name), undefined, `${name}: no longer observed`)
  }
})

test('an event store that does not tell its size reports no event count', async (t) => {
  const otel = setupOtel()
  const app = await telemetryApp(otel, { eventStore: false })
  t.teardown(() => app.close())
  await initSession(app)
  const metrics = await otel.metrics()
  t.equal(gauge(metrics, 'mcp.server.session.active'), 1)
  t.equal(gauge(metrics, 'mcp.server.event_store.events'), undefined)
})

test('calls refused before their handler are counted in mcp.server.call.refused, by tool and reason', async (t) => {
  const otel = setupOtel()
  const app = await telemetryApp(otel, { rateLimit: { max: 1 } })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const call = (n: number, name: string) => post(app, { jsonrpc: '2.0', id: n, method: 'tools/call', params: { name, arguments: { text: 'a' } } }, sessionHeaders(id))
  t.equal((await call(2, 'echo')).statusCode, 200)
  t.equal((await call(3, 'echo')).statusCode, 429)
  t.equal((await call(4, 'echo')).statusCode, 429)
  t.equal((await call(5, 'fail')).statusCode, 200, 'another tool has its own count')
  const metric = (await otel.metrics()).get('mcp.server.call.refused')!
  t.equal(metric.descriptor.unit, '{call}')
  t.same(metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })), [
    { attributes: { 'mcp.method.name': 'tools/call', 'error.type': 'rate_limited', 'gen_ai.tool.name': 'echo' }, value: 2 }
  ])
})

test('a rate limit store that fails is counted as limiter_unavailable', async (t) => {
  class BrokenStore {
    incr (_key: string, callback: (err: Error | null) => void): void { callback(new Error('store down')) }
    child (): BrokenStore { return this }
  }
  const otel = setupOtel()
  const app = await telemetryApp(otel, { rateLimit: { max: 5, store: BrokenStore as never } })
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'a' } } }, sessionHeaders(id))
  t.equal(res.statusCode, 503)
  const [point] = (await otel.metrics()).get('mcp.server.call.refused')!.dataPoints
  t.same(point.attributes, { 'mcp.method.name': 'tools/call', 'error.type': 'limiter_unavailable', 'gen_ai.tool.name': 'echo' })
  t.equal(point.value, 1)
  t.match((await app.inject({ method: 'GET', url: '/health' })).json().refused_calls, { limiter_unavailable: 1, tools: { echo: { limiter_unavailable: 1 } } })
})
