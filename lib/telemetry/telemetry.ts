import type * as OpenTelemetryApi from '@opentelemetry/api'
import type {
  Attributes,
  BatchObservableCallback,
  Context,
  Histogram,
  Meter,
  MeterProvider,
  ObservableUpDownCounter,
  TextMapPropagator,
  Tracer,
  TracerProvider
} from '@opentelemetry/api'
import type { FastifyRequest } from 'fastify'
import type { McpServerHost } from '../../types/index.js'
import type { RefusalListener } from '../access/call-gate.js'
import type { JsonRpcMessage, JsonRpcRequest } from '../protocol/jsonrpc.js'
import type { Session } from '../sessions/session.js'
import type { Transport } from '../transport.js'
import { addClientAttributes, describeOperation, networkAttributes } from './operation-attributes.js'
import { Operation } from './operation.js'
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_PROTOCOL_VERSION,
  ATTR_MCP_RESOURCE_URI,
  ATTR_MCP_SESSION_ID,
  DURATION_BUCKETS,
  INSTRUMENTATION_NAME,
  METRIC_MCP_SERVER_CALL_REFUSED,
  METRIC_MCP_SERVER_EVENT_STORE_EVENTS,
  METRIC_MCP_SERVER_OPERATION_DURATION,
  METRIC_MCP_SERVER_REQUEST_ACTIVE,
  METRIC_MCP_SERVER_SESSION_ACTIVE,
  METRIC_MCP_SERVER_SESSION_DURATION,
  METRIC_MCP_SERVER_STREAM_ACTIVE
} from './semconv.js'
import { carrierGetter, carrierSetter, isCarrier, type TraceCarrier } from './trace-carrier.js'

export type OpenTelemetry = typeof OpenTelemetryApi

/** The `telemetry` option once resolved: what to use instead of the global providers. */
export interface TelemetryProviders {
  tracerProvider?: TracerProvider | undefined
  meterProvider?: MeterProvider | undefined
  propagator?: TextMapPropagator | undefined
}

type Message = JsonRpcMessage & { params?: Record<string, unknown> }

/**
 * Traces, metrics and trace propagation for one registration of the plugin, by the
 * OpenTelemetry semantic conventions for MCP (semantic-conventions-genai docs/gen-ai/mcp.md).
 * It exists only with the `telemetry` option: without it nothing here is loaded, and no
 * request pays for it.
 */
export class Telemetry {
  readonly api: OpenTelemetry
  private readonly tracer: Tracer
  private readonly meter: Meter
  private readonly propagator: TextMapPropagator
  private readonly operationDuration: Histogram
  private readonly sessionDuration: Histogram
  /** The network attributes of the HTTP request that initialized each session. */
  private readonly sessionNetwork = new WeakMap<Session, Attributes>()
  private observer: BatchObservableCallback | null = null
  private gauges: ObservableUpDownCounter[] = []

  constructor (api: OpenTelemetry, providers: TelemetryProviders) {
    this.api = api
    this.tracer = (providers.tracerProvider ?? api.trace.getTracerProvider()).getTracer(INSTRUMENTATION_NAME)
    this.meter = (providers.meterProvider ?? api.metrics.getMeterProvider()).getMeter(INSTRUMENTATION_NAME)
    // The configured propagators (mcp.md §Context propagation): the global ones unless given.
    this.propagator = providers.propagator ?? api.propagation
    // mcp.md §Metrics: seconds, with the advised ExplicitBucketBoundaries.
    this.operationDuration = this.meter.createHistogram(METRIC_MCP_SERVER_OPERATION_DURATION, {
      description: 'MCP request duration as observed on the receiver from the time it was received until the result is sent.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS }
    })
    this.sessionDuration = this.meter.createHistogram(METRIC_MCP_SERVER_SESSION_DURATION, {
      description: 'The duration of the MCP session as observed on the MCP server.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS }
    })
  }

  /**
   * Starts the SERVER span of one client request (mcp.md §Server). Its parent is the trace
   * context in `params._meta` when there is one, else none; the ambient context (the HTTP
   * server span of @fastify/otel, when the app uses it) is linked, not the parent: one MCP
   * request may span several HTTP requests and one HTTP request several MCP requests
   * (§Context propagation, the NOTE).
   */
  startOperation (request: JsonRpcRequest, sessionId: string | undefined, protocolVersion: string, http: FastifyRequest): Operation {
    const { api } = this
    const described = describeOperation(request, protocolVersion, networkAttributes(http))
    const meta = request.params?._meta
    const parent = isCarrier(meta) ? this.propagator.extract(api.ROOT_CONTEXT, meta, carrierGetter) : api.ROOT_CONTEXT
    const attributes: Attributes = { ...described.metric, [ATTR_JSONRPC_REQUEST_ID]: String(request.id) }
    addClientAttributes(attributes, http)
    // mcp.md [10]: "when the MCP request or notification is part of a session".
    if (sessionId !== undefined) attributes[ATTR_MCP_SESSION_ID] = sessionId
    if (described.resourceUri !== undefined) attributes[ATTR_MCP_RESOURCE_URI] = described.resourceUri
    const ambient = api.trace.getSpanContext(api.context.active())
    const links = ambient !== undefined && api.trace.isSpanContextValid(ambient) ? [{ context: ambient }] : undefined
    const span = this.tracer.startSpan(described.spanName, { kind: api.SpanKind.SERVER, attributes, links }, parent)
    return new Operation(span, api.trace.setSpan(parent, span), described.metric, request.method, this.operationDuration, api.SpanStatusCode.ERROR)
  }

  /** Remembers how a session's initialize arrived, for its session.duration. */
  sessionStarted (session: Session, http: FastifyRequest): void {
    this.sessionNetwork.set(session, networkAttributes(http))
  }

  /**
   * mcp.server.session.duration (mcp.md §Metrics). No error.type: every way a session ends
   * here (DELETE, idle expiry, its HTTP+SSE stream closing, a failed initialize, shutdown) is
   * an ending, not a failure of the session.
   */
  sessionEnded (session: Session): void {
    const attributes: Attributes = { ...this.sessionNetwork.get(session) }
    if (session.protocolVersion !== '') attributes[ATTR_MCP_PROTOCOL_VERSION] = session.protocolVersion
    this.sessionDuration.record((Date.now() - session.createdAt) / 1000, attributes)
  }

  /**
   * Writes a trace context (the current one by default) into a plain object with the
   * configured propagators: W3C `traceparent`/`tracestate`/`baggage` keys. For `_meta`, and
   * for any message carried between instances.
   */
  inject (carrier: TraceCarrier = {}, context: Context = this.api.context.active()): TraceCarrier {
    this.propagator.inject(context, carrier, carrierSetter)
    return carrier
  }

  /** The trace context a carrier holds (written by inject on this or another instance). */
  extract (carrier: TraceCarrier): Context {
    return this.propagator.extract(this.api.ROOT_CONTEXT, carrier, carrierGetter)
  }

  /**
   * A server-to-client request or notification with the current trace context in its
   * `params._meta` (mcp.md §Context propagation: injected "when creating a request or
   * notification"). The current context is the active one when it holds a span (the
   * handler's own child span, with a context manager), else `fallback` (the request's
   * operation). Responses, and messages with a traceparent of their own, go as they are.
   */
  stamp<T extends Message> (message: T, fallback?: Context): T {
    if (!('method' in message)) return message
    const { api } = this
    const active = api.context.active()
    const context = fallback === undefined || api.trace.getSpan(active) !== undefined ? active : fallback
    const params = message.params
    const meta = params?._meta
    if (isCarrier(meta) && typeof meta.traceparent === 'string') return message
    const carrier = this.inject({}, context)
    if (!('traceparent' in carrier) && !('baggage' in carrier)) return message
    return { ...message, params: { ...params, _meta: { ...(isCarrier(meta) ? meta : undefined), ...carrier } } }
  }

  /**
   * The server's host API, with the current context stamped on what it sends; the rest
   * (subscriptions, requestState keys) as it is.
   */
  host (host: McpServerHost): McpServerHost {
    const stamped: McpServerHost = {
      ...host,
      notify: (id, notification) => host.notify(id, this.stamp(notification as Message) as typeof notification),
      broadcast: (notification) => host.broadcast(this.stamp(notification as Message) as typeof notification),
      request: (id, method, params, options) => {
        const { params: withContext } = this.stamp({ jsonrpc: '2.0', id: 0, method, params })
        return host.request(id, method, withContext, options)
      }
    }
    const publish = host.publish
    if (publish !== undefined) stamped.publish = (notification) => publish(this.stamp(notification as Message) as typeof notification)
    const notifySubscribers = host.notifySubscribers
    if (notifySubscribers !== undefined) stamped.notifySubscribers = (uri, notification) => notifySubscribers(uri, this.stamp(notification as Message) as typeof notification)
    return stamped
  }

  /**
   * Live counts an operator needs, read at collection time only (nothing per request):
   * sessions, open SSE streams, client requests in flight, events the event store holds
   * (when the store tells its size, as the MemoryEventStore does).
   */
  observe (transport: Transport): void {
    const meter = this.meter
    const sessions = meter.createObservableUpDownCounter(METRIC_MCP_SERVER_SESSION_ACTIVE, { description: 'Live MCP sessions (Streamable HTTP and HTTP+SSE).', unit: '{session}' })
    const streams = meter.createObservableUpDownCounter(METRIC_MCP_SERVER_STREAM_ACTIVE, { description: 'Open SSE streams.', unit: '{stream}' })
    const requests = meter.createObservableUpDownCounter(METRIC_MCP_SERVER_REQUEST_ACTIVE, { description: 'Client requests being handled.', unit: '{request}' })
    const events = meter.createObservableUpDownCounter(METRIC_MCP_SERVER_EVENT_STORE_EVENTS, { description: 'SSE events the event store holds for resumption.', unit: '{event}' })
    this.gauges = [sessions, streams, requests, events]
    this.observer = (result) => {
      result.observe(sessions, transport.sessions.size)
      result.observe(streams, transport.hub.size)
      let inflight = transport.stateless.size
      for (const session of transport.sessions.values()) inflight += session.inflight.size
      result.observe(requests, inflight)
      const size = (transport.options.eventStore as { size?: unknown } | null)?.size
      if (typeof size === 'number') result.observe(events, size)
    }
    meter.addBatchObservableCallback(this.observer, this.gauges)
  }

  /**
   * mcp.server.call.refused: calls the access gate refused before their handler ran (a
   * missing scope, a rate limit, a limiter that did not answer), by method, tool and reason
   * (error.type). Tool names come from clients: the gate names at most 1000 of them.
   */
  refusals (): RefusalListener {
    const counter = this.meter.createCounter(METRIC_MCP_SERVER_CALL_REFUSED, {
      description: 'MCP calls refused before their handler ran, by reason (error.type).',
      unit: '{call}'
    })
    return (method, tool, reason) => {
      const attributes: Attributes = { [ATTR_MCP_METHOD_NAME]: method, [ATTR_ERROR_TYPE]: reason }
      if (tool !== undefined) attributes[ATTR_GEN_AI_TOOL_NAME] = tool
      counter.add(1, attributes)
    }
  }

  /** Stops observing (app.close()): a closed plugin reports nothing more. */
  close (): void {
    this.meter.removeBatchObservableCallback(this.observer!, this.gauges)
  }
}
