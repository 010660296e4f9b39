// One JSON-RPC request through fastify.inject, for the tests whose answers are plain JSON.
import type { FastifyInstance } from 'fastify'
import { buildApp, initSession, post, sessionHeaders } from '../helpers.js'
import type { McpServer } from '../../lib/index.js'

let nextId = 100

export interface Rpc {
  app: FastifyInstance
  session: string
  /** Sends `method` with `params`; returns the JSON-RPC response body. */
  call (method: string, params?: Record<string, unknown>): Promise<any>
}

export async function connect (t: { teardown: (fn: () => unknown) => void }, server: McpServer): Promise<Rpc> {
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const session = await initSession(app)
  return {
    app,
    session,
    async call (method, params) {
      const body = params === undefined ? { jsonrpc: '2.0', id: nextId++, method } : { jsonrpc: '2.0', id: nextId++, method, params }
      const res = await post(app, body, sessionHeaders(session))
      if (res.headers['content-type'] !== 'application/json; charset=utf-8') throw new Error(`expected a JSON answer, got ${res.headers['content-type']}: ${res.body}`)
      return res.json()
    }
  }
}
