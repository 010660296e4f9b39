import type { FastifyReply, FastifyRequest } from 'fastify'
import { FST_MCP_SHUTTING_DOWN } from '../errors.js'
import { assertPostAccept } from '../guard/accept-guard.js'
import { Cancellation } from '../protocol/cancellation.js'
import { isRequest, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from '../protocol/jsonrpc.js'
import type { Transport } from '../transport.js'
import { ModernResponse } from './modern-response.js'
import { validateModernRequest } from './modern-request.js'
import { listen } from './subscriptions.js'

/**
 * One modern-era (2026-07-28) POST, served statelessly (T-0728 §Sending Messages): checked
 * headers and `_meta`, no session (Mcp-Session-Id is ignored and never minted), the
 * handler's answer as JSON or as an SSE stream of related notifications then the result.
 */
export async function modernPost (transport: Transport, request: FastifyRequest, reply: FastifyReply, message: JsonRpcRequest | JsonRpcNotification): Promise<FastifyReply | JsonRpcResponse> {
  const scope = validateModernRequest(request.headers, message)
  if (!isRequest(message)) {
    // T-0728 §Sending Messages #5: an accepted notification gets 202 and no body.
    transport.dispatcher.notification(undefined, message, request.log, request.mcpAuth)
    return reply.code(202).send()
  }
  const mode = transport.options.responseMode
  if (message.method === 'subscriptions/listen') {
    // The listen answer is always a stream of notifications.
    assertPostAccept(request.headers.accept, false, true)
    return listen(transport, reply, message, scope.clientCapabilities, request.mcpAuth)
  }
  assertPostAccept(request.headers.accept, mode !== 'sse', mode !== 'json')
  if (transport.closing) throw new FST_MCP_SHUTTING_DOWN()
  // Checked before the answer is chosen, so a refused call gets its own status (403, 429).
  const gate = transport.gate
  if (gate !== null && gate.guards(message)) {
    const refusal = await gate.admit(message, request)
    if (refusal !== null) throw gate.httpError(refusal, reply)
  }
  const controller = new Cancellation()
  transport.stateless.add(controller)
  const channel = new ModernResponse(transport, reply, controller)
  const done = (): void => { transport.stateless.delete(controller) }
  void transport.dispatcher.runStateless(message, { ...scope, authInfo: request.mcpAuth, done }, controller, channel, request.log).then((response) => {
    if (response === null) channel.abandon()
    else channel.respond(response)
  })
  const outcome = await channel.outcome
  if ('streamed' in outcome) return reply
  reply.code(outcome.status).type('application/json')
  return outcome.json
}
