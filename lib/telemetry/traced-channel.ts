import type { Context } from '@opentelemetry/api'
import type { FastifyRequest } from 'fastify'
import type { JsonRpcMessage, JsonRpcResponse } from '../protocol/jsonrpc.js'
import type { OutboundChannel } from '../protocol/outbound-channel.js'
import type { Telemetry } from './telemetry.js'

/**
 * One client request's channel, with its trace context stamped on every request and
 * notification the handler sends (progress, logs, sampling, elicitation): the client's
 * spans for them continue the trace (mcp.md §Context propagation).
 */
export class TracedChannel implements OutboundChannel {
  private readonly inner: OutboundChannel
  private readonly telemetry: Telemetry
  private readonly context: Context

  constructor (inner: OutboundChannel, telemetry: Telemetry, context: Context) {
    this.inner = inner
    this.telemetry = telemetry
    this.context = context
  }

  get request (): FastifyRequest {
    return this.inner.request
  }

  send (message: JsonRpcMessage): boolean {
    return this.inner.send(this.telemetry.stamp(message, this.context))
  }

  respond (response: JsonRpcResponse): void {
    this.inner.respond(response)
  }

  abandon (): void {
    this.inner.abandon()
  }

  closeConnection (): boolean {
    return this.inner.closeConnection?.() ?? false
  }
}
