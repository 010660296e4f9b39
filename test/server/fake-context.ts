// A RequestContext without a transport, for calling a server's handleRequest directly in the
// cases no HTTP request can produce yet (no session, a modern-era protocol version).
import type { FastifyBaseLogger } from 'fastify'
import type { RequestContext } from '../../lib/index.js'

const silent = { fatal () {}, error () {}, warn () {}, info () {}, debug () {}, trace () {}, silent () {}, level: 'silent', child () { return silent } } as unknown as FastifyBaseLogger

export interface FakeContext extends RequestContext {
  /** Notifications the handler sent. */
  readonly sent: Array<Record<string, unknown>>
}

export function fakeContext (overrides: Partial<RequestContext> = {}): FakeContext {
  const sent: Array<Record<string, unknown>> = []
  return {
    requestId: 1,
    method: 'test',
    session: undefined,
    protocolVersion: '2025-11-25',
    clientCapabilities: {},
    signal: new AbortController().signal,
    progressToken: undefined,
    logger: silent,
    notify: (notification) => { sent.push(notification) },
    request: async () => ({}),
    closeStream: () => false,
    ...overrides,
    sent
  }
}
