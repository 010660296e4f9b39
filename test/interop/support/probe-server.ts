import { Type } from '@sinclair/typebox'
import { createMcpServer, type McpServer } from '../../../lib/index.js'

/**
 * A server whose one tool, `probe`, stays in flight until its session ends, and lets the
 * test see what the transport gave it. With `ask: true` it also waits on a
 * server-to-client request (roots/list), which holds a timer and an abort listener of
 * the transport's own.
 */
export class ProbeServer {
  readonly server: McpServer
  /** The AbortSignal of every probe call, in call order. */
  readonly signals: AbortSignal[] = []
  private readonly waiting = new Map<string, () => void>()

  constructor () {
    this.server = createMcpServer({ name: 'probe-server', version: '1.0.0' })
    this.server.tool('probe', {
      description: 'Stays in flight until the session ends',
      input: Type.Object({ ask: Type.Boolean() })
    }, async ({ ask }: { ask: boolean }, ctx) => {
      this.signals.push(ctx.signal)
      if (ask) {
        // ctx.request writes the request before it returns, so the call is then observable.
        const answer = ctx.request('roots/list')
        this.started(ctx.session?.id)
        try {
          await answer
        } catch {
          // The session ended: the transport rejects what it can no longer deliver.
        }
        return 'asked'
      }
      const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }))
      this.started(ctx.session?.id)
      await aborted
      return 'aborted'
    })
  }

  /** Resolves once a probe call of this session is running. Register before posting it. */
  startedIn (sessionId: string): Promise<void> {
    return new Promise((resolve) => { this.waiting.set(sessionId, resolve) })
  }

  private started (sessionId: string | undefined): void {
    if (sessionId === undefined) return
    this.waiting.get(sessionId)?.()
    this.waiting.delete(sessionId)
  }
}

export function probeCall (id: number, ask: boolean) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'probe', arguments: { ask } } }
}
