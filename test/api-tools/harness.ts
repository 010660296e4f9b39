// One MCP client view of a server for the api-tools tests: list and call over fastify.inject,
// legacy (a session) or modern (stateless) era.
import type { FastifyInstance } from 'fastify'
import { initializeBody, post, sessionHeaders } from '../helpers.js'
import { modernRequest } from '../modern/modern-helpers.js'

export interface ToolClient {
  /** tools/list's tools, by name. */
  tools (): Promise<Map<string, any>>
  /** tools/call's result (or the JSON-RPC error, as { error }). */
  call (name: string, args?: Record<string, unknown>, headers?: Record<string, string>): Promise<any>
}

let nextId = 1

type Rpc = (method: string, params: Record<string, unknown>, headers?: Record<string, string>) => Promise<any>

function toolClient (rpc: Rpc): ToolClient {
  return {
    async tools () {
      const result = await rpc('tools/list', {})
      return new Map(result.tools.map((tool: any) => [tool.name, tool]))
    },
    call: (name, args = {}, headers) => rpc('tools/call', { name, arguments: args }, headers)
  }
}

/** The JSON-RPC result, or the error as { error }. */
function outcome (body: any): any {
  return body.error === undefined ? body.result : { error: body.error }
}

/** A legacy session; `always` goes with every request (e.g. the MCP request's Authorization). */
export async function legacyClient (app: FastifyInstance, always: Record<string, string> = {}): Promise<ToolClient> {
  const init = await post(app, initializeBody(), always)
  if (init.statusCode !== 200) throw new Error(`initialize failed: ${init.statusCode} ${init.body}`)
  const session = init.headers['mcp-session-id'] as string
  return toolClient(async (method, params, headers = {}) =>
    outcome((await post(app, { jsonrpc: '2.0', id: nextId++, method, params }, { ...always, ...sessionHeaders(session), ...headers })).json()))
}

export function modernClient (app: FastifyInstance): ToolClient {
  return toolClient(async (method, params, headers = {}) =>
    outcome((await modernRequest(app, method, params, { id: nextId++, headers })).json()))
}
