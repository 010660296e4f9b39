// Apps with the `auth` option for the tests under test/auth: a table of known tokens, a
// verifier that looks them up, and a tool that shows the handler what the token was.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import type { AuthInfo, AuthOptions, McpServer, McpTransportOptions } from '../../lib/index.js'
import { buildApp, initializeBody, post, sessionHeaders, testServer } from '../helpers.js'

export const RESOURCE = 'https://mcp.example.com/mcp'
export const METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp'
export const ISSUER = 'https://auth.example.com'

const inAnHour = Math.floor(Date.now() / 1000) + 3600

/** Tokens the test verifier knows; any other token makes it throw. */
export const TOKENS: Record<string, AuthInfo> = {
  good: { token: 'good', clientId: 'client-a', scopes: ['mcp:use'], expiresAt: inAnHour, resource: RESOURCE, subject: 'alice' },
  // Another token of the same user, from another client: the same owner.
  again: { token: 'again', clientId: 'client-b', scopes: ['mcp:use'], subject: 'alice' },
  bob: { token: 'bob', clientId: 'client-a', scopes: ['mcp:use'], subject: 'bob' },
  // No subject: the client is the owner.
  service: { token: 'service', clientId: 'service-client', scopes: ['mcp:use'] },
  expired: { token: 'expired', clientId: 'client-a', scopes: ['mcp:use'], expiresAt: Math.floor(Date.now() / 1000) - 60 },
  foreign: { token: 'foreign', clientId: 'client-a', scopes: ['mcp:use'], resource: 'https://other.example.com/mcp' },
  // The same audience written another way: scheme and host in capitals, a trailing slash.
  shouting: { token: 'shouting', clientId: 'client-a', scopes: ['mcp:use'], resource: 'HTTPS://MCP.Example.COM/mcp/' },
  unscoped: { token: 'unscoped', clientId: 'client-a', scopes: [] }
}

export function verifyTestToken (token: string): AuthInfo {
  const info = TOKENS[token]
  if (info === undefined) throw new Error(`verifier internals: token ${token} is not in the table`)
  return info
}

export function authOptions (extra: Partial<AuthOptions> = {}): AuthOptions {
  return {
    verifyToken: verifyTestToken,
    resourceMetadata: { resource: RESOURCE, authorization_servers: [ISSUER], scopes_supported: ['mcp:use'] },
    ...extra
  }
}

export function bearer (token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` }
}

/** testServer() plus `whoami`, which answers with the handler's ctx.authInfo as JSON. */
export function authServer (): McpServer {
  const server = testServer()
  server.tool('whoami', { description: 'Shows the verified token' }, (_args, ctx) => JSON.stringify(ctx.authInfo ?? null))
  return server
}

export async function authApp (t: Test, options: Partial<McpTransportOptions> = {}, server: McpServer = authServer()): Promise<FastifyInstance> {
  const app = await buildApp({ auth: authOptions(), ...options }, server)
  t.teardown(() => app.close())
  return app
}

/** Initializes a session with `token` (and sends notifications/initialized); returns its id. */
export async function authSession (app: FastifyInstance, token: string): Promise<string> {
  const res = await post(app, initializeBody(), bearer(token))
  if (res.statusCode !== 200) throw new Error(`initialize failed: ${res.statusCode} ${res.body}`)
  const id = res.headers['mcp-session-id'] as string
  await post(app, { jsonrpc: '2.0', method: 'notifications/initialized' }, { ...sessionHeaders(id), ...bearer(token) })
  return id
}

/** Calls `whoami` in a session with `token`. */
export async function whoami (app: FastifyInstance, session: string, token: string): Promise<LightMyRequestResponse> {
  return post(app, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'whoami', arguments: {} } }, { ...sessionHeaders(session), ...bearer(token) })
}

/** The text of a tools/call JSON answer. */
export function toolText (res: LightMyRequestResponse): string {
  return res.json().result.content[0].text
}
