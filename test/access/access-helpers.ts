// A repository server whose tools, prompts and resources need different scopes, and the
// tokens of users who hold them, for the tests of per-item access rules.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { createMcpServer, type AuthInfo, type McpServer, type McpTransportOptions } from '../../lib/index.js'
import { buildApp, initializeBody, post, sessionHeaders } from '../helpers.js'
import { ISSUER, RESOURCE } from '../auth/auth-helpers.js'

export const ACCESS_TOKENS: Record<string, AuthInfo> = {
  reader: { token: 'reader', clientId: 'repo-client', scopes: ['repo:read'], subject: 'alice' },
  // The same user after step-up: a token with repo:admin too.
  admin: { token: 'admin', clientId: 'repo-client', scopes: ['repo:read', 'repo:admin'], subject: 'alice' },
  other: { token: 'other', clientId: 'repo-client', scopes: ['repo:read', 'repo:admin'], subject: 'bob', extra: { tenant: 'b' } },
  service: { token: 'service', clientId: 'svc', scopes: ['repo:read'] }
}

export function accessAuth (extra: Record<string, unknown> = {}): McpTransportOptions['auth'] {
  return {
    verifyToken: (token) => {
      const info = ACCESS_TOKENS[token]
      if (info === undefined) throw new Error('unknown token')
      return info
    },
    resourceMetadata: { resource: RESOURCE, authorization_servers: [ISSUER] },
    ...extra
  }
}

/** read_repo for everyone, delete_repo with repo:admin, tenant_report only for tenant b. */
export function repoServer (): McpServer {
  const server = createMcpServer({ name: 'repos', version: '1.0.0' })
  server.tool('read_repo', { description: 'Reads a repository' }, () => 'readme')
  server.tool('delete_repo', { description: 'Deletes a repository', scopes: ['repo:admin'] }, () => 'deleted')
  server.tool('tenant_report', { description: 'Tenant b only', authorize: (auth) => auth.extra?.tenant === 'b' }, () => 'report')
  server.prompt('audit', { description: 'Audit prompt', scopes: ['repo:admin'] }, () => 'audit everything')
  server.prompt('hello', { description: 'Greets' }, () => 'hello')
  server.resource('secrets', 'repo://secrets', { scopes: ['repo:admin'] }, () => 'hunter2')
  server.resource('readme', 'repo://readme', {}, () => 'read me')
  server.resourceTemplate('issues', 'repo://issues/{id}', {
    scopes: ['repo:admin'],
    list: () => [{ uri: 'repo://issues/1', name: 'issue 1' }]
  }, (uri) => `issue ${uri}`)
  return server
}

export async function accessApp (t: Test, options: Partial<McpTransportOptions> = {}, server: McpServer = repoServer()): Promise<FastifyInstance> {
  const app = await buildApp({ auth: accessAuth(), ...options }, server)
  t.teardown(() => app.close())
  return app
}

export function bearer (token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` }
}

export async function accessSession (app: FastifyInstance, token: string, protocolVersion?: string): Promise<string> {
  const res = await post(app, initializeBody(protocolVersion), bearer(token))
  if (res.statusCode !== 200) throw new Error(`initialize failed: ${res.statusCode} ${res.body}`)
  const id = res.headers['mcp-session-id'] as string
  await post(app, { jsonrpc: '2.0', method: 'notifications/initialized' }, { ...sessionHeaders(id, protocolVersion), ...bearer(token) })
  return id
}

/** Sends one request in a session with `token`. */
export async function rpc (app: FastifyInstance, session: string, token: string, method: string, params: Record<string, unknown> = {}, id = 5, protocolVersion?: string): Promise<LightMyRequestResponse> {
  return post(app, { jsonrpc: '2.0', id, method, params }, { ...sessionHeaders(session, protocolVersion), ...bearer(token) })
}

export async function callTool (app: FastifyInstance, session: string, token: string, name: string, args: Record<string, unknown> = {}): Promise<LightMyRequestResponse> {
  return rpc(app, session, token, 'tools/call', { name, arguments: args })
}
