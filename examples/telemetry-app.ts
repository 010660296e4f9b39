// The demo server with OpenTelemetry on: spans and metrics printed to the console.
//   npm run build && node dist/examples/telemetry-app.js
// then call a tool with any MCP client (http://127.0.0.1:3000/mcp). In production, use the
// OTLP exporters (@opentelemetry/exporter-trace-otlp-http, -metrics-otlp-http) or the
// Node SDK (@opentelemetry/sdk-node) instead, and pass `telemetry: true`.
import Fastify from 'fastify'
import { Type } from '@sinclair/typebox'
import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics'
import { ConsoleSpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import mcpTransport from '../lib/index.js'
import { createDemoServer } from './demo-server.js'

// With a context manager, spans a handler starts nest under the MCP request's span.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })] })
const meterProvider = new MeterProvider({
  readers: [new PeriodicExportingMetricReader({ exporter: new ConsoleMetricExporter(), exportIntervalMillis: 10_000 })]
})
const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] })

const server = createDemoServer()
const tracer = tracerProvider.getTracer('telemetry-demo')
server.tool('lookup', {
  description: 'Looks a word up (a child span of the tools/call span)',
  input: Type.Object({ word: Type.String() })
}, ({ word }: { word: string }) => tracer.startActiveSpan('dictionary lookup', (span) => {
  span.setAttribute('demo.word', word)
  span.end()
  return { content: [{ type: 'text', text: `${word}: a word` }] }
}))

const app = Fastify({ logger: { level: 'info' } })
await app.register(mcpTransport, { server, telemetry: { tracerProvider, meterProvider, propagator } })
app.addHook('onClose', async () => {
  await tracerProvider.shutdown()
  await meterProvider.shutdown()
})
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { void app.close() })
