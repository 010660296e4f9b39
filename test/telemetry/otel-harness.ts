// A real OpenTelemetry SDK for tests: spans to an in-memory exporter, metrics to a reader
// collected on demand, W3C trace context and baggage propagators, and an
// AsyncLocalStorage context manager (registered globally, as the Node SDK does).
import { context, type TextMapPropagator } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import { AggregationTemporality, InstrumentType, MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace'

class CollectingReader extends MetricReader {
  constructor () {
    // Delta for the observed counts: a collection then holds only what the callbacks
    // observed this time, so a test sees when a closed plugin stopped reporting (cumulative
    // would repeat the last value forever).
    super({
      aggregationTemporalitySelector: (type) => type === InstrumentType.OBSERVABLE_UP_DOWN_COUNTER
        ? AggregationTemporality.DELTA
        : AggregationTemporality.CUMULATIVE
    })
  }

  protected async onForceFlush (): Promise<void> {}
  protected async onShutdown (): Promise<void> {}
}

let contextManager: AsyncLocalStorageContextManager | null = null

export interface Otel {
  exporter: InMemorySpanExporter
  tracerProvider: TracerProvider
  meterProvider: MeterProvider
  propagator: TextMapPropagator
  spans: () => ReadableSpan[]
  /** Every metric collected now, by name. */
  metrics: () => Promise<Map<string, MetricData>>
  shutdown: () => Promise<void>
}

export function setupOtel (): Otel {
  if (contextManager === null) {
    contextManager = new AsyncLocalStorageContextManager().enable()
    context.setGlobalContextManager(contextManager)
  }
  const exporter = new InMemorySpanExporter()
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] })
  const reader = new CollectingReader()
  const meterProvider = new MeterProvider({ readers: [reader] })
  const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] })
  return {
    exporter,
    tracerProvider,
    meterProvider,
    propagator,
    spans: () => exporter.getFinishedSpans(),
    metrics: async () => {
      const { resourceMetrics } = await reader.collect()
      const out = new Map<string, MetricData>()
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) out.set(metric.descriptor.name, metric)
      }
      return out
    },
    shutdown: async () => {
      await tracerProvider.shutdown()
      await meterProvider.shutdown()
    }
  }
}

export type HistogramPoint = DataPoint<Histogram>

export function histogramPoints (metric: MetricData | undefined): HistogramPoint[] {
  return (metric?.dataPoints ?? []) as HistogramPoint[]
}

export function traceparentOf (span: ReadableSpan): string {
  const { traceId, spanId } = span.spanContext()
  return `00-${traceId}-${spanId}-01`
}
