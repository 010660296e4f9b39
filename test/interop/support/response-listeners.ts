import type { ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'

interface Observed {
  url: string
  method: string
  raw: ServerResponse
  close: number
  drain: number
}

/**
 * Records every response the app creates together with the 'close' and 'drain' listeners
 * it had when the request arrived, so a test can check that whatever was added while the
 * response was in use (an SSE stream adds both) was removed again. Add it to the root
 * instance before the plugin, so the hook runs for the plugin's routes too.
 */
export class ResponseListeners {
  private readonly observed: Observed[] = []

  constructor (app: FastifyInstance) {
    app.addHook('onRequest', (request, reply, done) => {
      const raw = reply.raw
      this.observed.push({ url: request.url, method: request.method, raw, close: raw.listenerCount('close'), drain: raw.listenerCount('drain') })
      done()
    })
  }

  get count (): number {
    return this.observed.length
  }

  /** Responses that still hold more 'close' or 'drain' listeners than they started with. */
  leftovers (): string[] {
    const out: string[] = []
    for (const o of this.observed) {
      const close = o.raw.listenerCount('close')
      const drain = o.raw.listenerCount('drain')
      if (close > o.close || drain > o.drain) out.push(`${o.method} ${o.url}: close ${o.close}→${close}, drain ${o.drain}→${drain}`)
    }
    return out
  }
}
