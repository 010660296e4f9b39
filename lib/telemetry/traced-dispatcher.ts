import type { FastifyBaseLogger } from 'fastify'
import type { AuthInfo } from '../../types/index.js'
import type { Cancellation } from '../protocol/cancellation.js'
import { Dispatcher, type DispatcherOptions, type MaybePromise, type StatelessScope } from '../protocol/dispatcher.js'
import type { JsonRpcRequest, JsonRpcResponse } from '../protocol/jsonrpc.js'
import type { OutboundChannel } from '../protocol/outbound-channel.js'
import type { Session } from '../sessions/session.js'
import type { Telemetry } from './telemetry.js'
import { TracedChannel } from './traced-channel.js'

/**
 * The dispatcher with telemetry on: every client request, of either era and either
 * transport, passes run or runStateless, so each gets its SERVER span and its duration
 * there, and its handler runs in the span's context (its own spans nest under it). The
 * transport makes this one only with the `telemetry` option, so the plain Dispatcher's
 * hot path has no telemetry check at all.
 */
export class TracedDispatcher extends Dispatcher {
  private readonly telemetry: Telemetry

  constructor (options: DispatcherOptions, telemetry: Telemetry) {
    super(options)
    this.telemetry = telemetry
  }

  override run (session: Session, request: JsonRpcRequest, channel: OutboundChannel, log: FastifyBaseLogger, authInfo?: AuthInfo): MaybePromise<JsonRpcResponse | null> {
    const telemetry = this.telemetry
    const operation = telemetry.startOperation(request, session.id, session.protocolVersion, channel.request)
    if (request.method === 'initialize') telemetry.sessionStarted(session, channel.request)
    const traced = new TracedChannel(channel, telemetry, operation.context)
    return operation.settle(telemetry.api.context.with(operation.context, super.run, this, session, request, traced, log, authInfo))
  }

  override runStateless (request: JsonRpcRequest, scope: StatelessScope, cancellation: Cancellation, channel: OutboundChannel, log: FastifyBaseLogger): Promise<JsonRpcResponse | null> {
    const telemetry = this.telemetry
    const operation = telemetry.startOperation(request, undefined, scope.protocolVersion, channel.request)
    const traced = new TracedChannel(channel, telemetry, operation.context)
    return operation.settle(telemetry.api.context.with(operation.context, super.runStateless, this, request, scope, cancellation, traced, log)) as Promise<JsonRpcResponse | null>
  }
}
