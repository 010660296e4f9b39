// The telemetry option: checked at registration, @opentelemetry/api loaded only with it, the
// global providers by default, and the plain dispatcher without it.
import { test, type Test } from 'tap'
import Fastify from 'fastify'
import { metrics, propagation, trace } from '@opentelemetry/api'
import * as incubating from '@opentelemetry/semantic-conventions/incubating'
import { buildApp, initSession, post, sessionHeaders } from '../helpers.js'
import { loadTelemetry } from '../../lib/telemetry/load-telemetry.js'
import * as semconv from '../../lib/telemetry/semconv.js'
import { Dispatcher } from '../../lib/protocol/dispatcher.js'
import { TracedDispatcher } from '../../lib/telemetry/traced-dispatcher.js'
import type { Telemetry } from '../../lib/telemetry/telemetry.js'
import { Transport } from '../../lib/transport.js'
import { resolveOptions } from '../../lib/options.js'
import { setupOtel } from './otel-harness.js'
import { telemetryServer } from './telemetry-fixtures.js'

test('invalid telemetry options are refused at registration, naming the option', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    ['yes', /option "telemetry" is "yes"; expected true, false or/],
    [{ tracerProvider: {} }, /option "telemetry.tracerProvider" .*with getTracer/],
    [{ meterProvider: null }, /option "telemetry.meterProvider" is null; .*with getMeter/],
    [{ propagator: { inject () {} } }, /option "telemetry.propagator" .*with inject and extract/]
  ]
  for (const [telemetry, message] of cases) {
    await t.rejects(buildApp({ telemetry: telemetry as never }), { code: 'FST_MCP_INVALID_OPTION', message })
  }
})

async function transport (t: Test, telemetry: Telemetry | null): Promise<Transport> {
  const options = resolveOptions({ server: telemetryServer(), telemetry: telemetry !== null })
  const state = await options.state.open({ options, log: Fastify().log })
  t.teardown(() => state.close())
  return new Transport(options, state, undefined, telemetry)
}

test('without the option the dispatcher is the plain one; with it, the traced one', async (t) => {
  const plain = await transport(t, null)
  t.equal(Object.getPrototypeOf(plain.dispatcher), Dispatcher.prototype)
  t.equal(plain.telemetry, null)
  t.equal(resolveOptions({ server: telemetryServer(), telemetry: false }).telemetry, null)
  const traced = await transport(t, await loadTelemetry({}))
  t.ok(traced.dispatcher instanceof TracedDispatcher)
})

test('a missing @opentelemetry/api fails registration with how to fix it', async (t) => {
  await t.rejects(loadTelemetry({}, '@opentelemetry/not-installed'), {
    code: 'FST_MCP_TELEMETRY_UNAVAILABLE',
    message: /needs @opentelemetry\/api.*install it \(npm i @opentelemetry\/api\) or leave telemetry off/
  })
})

test('telemetry: true uses the global tracer, meter and propagator (what the Node SDK registers)', async (t) => {
  const otel = setupOtel()
  trace.setGlobalTracerProvider(otel.tracerProvider)
  metrics.setGlobalMeterProvider(otel.meterProvider)
  propagation.setGlobalPropagator(otel.propagator)
  t.teardown(() => { trace.disable(); metrics.disable(); propagation.disable() })
  const app = await buildApp({ telemetry: true }, telemetryServer())
  t.teardown(() => app.close())
  const id = await initSession(app)
  await post(app, {
    jsonrpc: '2.0', id: 2, method: 'tools/call',
    params: { name: 'echo', arguments: { text: 'g' }, _meta: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } }
  }, sessionHeaders(id))
  const span = otel.spans().find((s) => s.name === 'tools/call echo')!
  t.equal(span.parentSpanContext?.spanId, '00f067aa0ba902b7', 'the global propagator read _meta')
  t.ok((await otel.metrics()).has('mcp.server.operation.duration'), 'the global meter provider got the metric')
})

test('every name we use is the one the semantic conventions registry defines', async (t) => {
  const registry = incubating as unknown as Record<string, string>
  for (const [name, value] of Object.entries(semconv)) {
    if (!name.startsWith('ATTR_') && !name.startsWith('METRIC_MCP_SERVER_OPERATION') && !name.startsWith('METRIC_MCP_SERVER_SESSION_DURATION')) continue
    t.equal(value, registry[name], name)
  }
})
