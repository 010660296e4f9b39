import type { Attributes, Context, Histogram, Span, SpanStatusCode } from '@opentelemetry/api'
import type { MaybePromise } from '../protocol/dispatcher.js'
import type { JsonRpcResponse } from '../protocol/jsonrpc.js'
import {
  ATTR_ERROR_TYPE,
  ATTR_RPC_RESPONSE_STATUS_CODE,
  ERROR_TYPE_CANCELLED,
  ERROR_TYPE_TOOL_ERROR
} from './semconv.js'

/**
 * One client request being served: its SERVER span, the context its handler runs in, and
 * the attributes its mcp.server.operation.duration is recorded with when it ends.
 */
export class Operation {
  readonly context: Context
  private readonly span: Span
  private readonly metric: Attributes
  private readonly method: string
  private readonly duration: Histogram
  private readonly errorStatus: SpanStatusCode
  private readonly started = performance.now()

  constructor (span: Span, context: Context, metric: Attributes, method: string, duration: Histogram, errorStatus: SpanStatusCode) {
    this.span = span
    this.context = context
    this.metric = metric
    this.method = method
    this.duration = duration
    this.errorStatus = errorStatus
  }

  /** Ends the operation with the request's answer, now or when it settles; returns the answer. */
  settle (answer: MaybePromise<JsonRpcResponse | null>): MaybePromise<JsonRpcResponse | null> {
    if (!(answer instanceof Promise)) {
      this.end(answer)
      return answer
    }
    return answer.then((response) => {
      this.end(response)
      return response
    })
  }

  /**
   * mcp.md §Server: error.type iff the operation failed — the JSON-RPC code as a string
   * (with rpc.response.status_code, "if response contains an error code"), `tool_error` for
   * a CallToolResult with isError ([1]), `cancelled` for a request that got no response —
   * and then span status ERROR, described by the JSON-RPC error message when there is one.
   */
  private end (response: JsonRpcResponse | null): void {
    // Taken first: a span processor may export synchronously in span.end() (the simple
    // processor does), and that is not the request's time.
    const seconds = (performance.now() - this.started) / 1000
    let errorType: string | undefined
    let message: string | undefined
    if (response === null) {
      errorType = ERROR_TYPE_CANCELLED
    } else if ('error' in response) {
      errorType = String(response.error.code)
      message = response.error.message
      this.metric[ATTR_RPC_RESPONSE_STATUS_CODE] = errorType
      this.span.setAttribute(ATTR_RPC_RESPONSE_STATUS_CODE, errorType)
    } else if (this.method === 'tools/call' && response.result.isError === true) {
      errorType = ERROR_TYPE_TOOL_ERROR
    }
    if (errorType !== undefined) {
      this.metric[ATTR_ERROR_TYPE] = errorType
      this.span.setAttribute(ATTR_ERROR_TYPE, errorType)
      this.span.setStatus(message === undefined ? { code: this.errorStatus } : { code: this.errorStatus, message })
    }
    this.duration.record(seconds, this.metric)
    this.span.end()
  }
}
