// The OpenTelemetry SDK as an app would run it in production, for `MCP_BENCH_TELEMETRY=1`:
// every span sampled and batched to an exporter, metrics aggregated for a periodic reader,
// the AsyncLocalStorage context manager, W3C propagators. The exporters drop what they get,
// so the figure is the plugin's and the SDK's cost, not a collector's.
import { context, type TextMapPropagator } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { CompositePropagator, ExportResultCode, W3CBaggagePropagator, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core'
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics'
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace'

class DroppingSpanExporter implements SpanExporter {
  export (_spans: ReadableSpan[], done: (result: ExportResult) => void): void { done({ code: ExportResultCode.SUCCESS }) }
  async shutdown (): Promise<void> {}
}

class DroppingMetricExporter implements PushMetricExporter {
  export (_metrics: ResourceMetrics, done: (result: ExportResult) => void): void { done({ code: ExportResultCode.SUCCESS }) }
  selectAggregationTemporality (): AggregationTemporality { return AggregationTemporality.CUMULATIVE }
  async forceFlush (): Promise<void> {}
  async shutdown (): Promise<void> {}
}

export interface BenchTelemetry {
  tracerProvider: TracerProvider
  meterProvider: MeterProvider
  propagator: TextMapPropagator
  shutdown: () => Promise<void>
}

export function benchTelemetry (): BenchTelemetry {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  const tracerProvider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: new DroppingSpanExporter() })] })
  const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: new DroppingMetricExporter(), exportIntervalMillis: 5000 })] })
  const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] })
  return {
    tracerProvider,
    meterProvider,
    propagator,
    shutdown: async () => { await tracerProvider.shutdown(); await meterProvider.shutdown() }
  }
}
