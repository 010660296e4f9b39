import type { JsonRpcResponse } from '../protocol/jsonrpc.js'
import { isSupportedVersion, negotiateVersion } from '../protocol/versions.js'
import type { Session } from './session.js'

/**
 * Records what the client's initialize request says about it, before the server answers
 * (2025-11-25 lifecycle §Initialization). Both transports (Streamable HTTP and HTTP+SSE)
 * use it, so a session looks the same whichever way it was opened.
 */
export function recordClientHello (session: Session, params: Record<string, unknown>): void {
  session.protocolVersion = negotiateVersion(params.protocolVersion)
  const capabilities = params.capabilities
  if (capabilities !== null && typeof capabilities === 'object') {
    session.clientCapabilities = capabilities as Record<string, unknown>
  }
  const info = params.clientInfo as Session['clientInfo'] | undefined
  if (info !== null && typeof info === 'object' && typeof info.name === 'string') session.clientInfo = info
}

/** Keeps the version the server agreed to: it governs batching, priming and headers later. */
export function recordServerHello (session: Session, response: JsonRpcResponse): void {
  if (!('result' in response)) return
  const agreed = response.result.protocolVersion
  if (typeof agreed === 'string' && isSupportedVersion(agreed)) session.protocolVersion = agreed
}
