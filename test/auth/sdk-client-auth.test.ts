// The official SDK client (@modelcontextprotocol/sdk) against the plugin with `auth`, on a
// real loopback socket: refused without a token, served with one, and able to read the
// challenge and discover the resource metadata the way it does before an OAuth flow.
import { test, type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { discoverOAuthProtectedResourceMetadata, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js'
import { buildApp, initializeBody } from '../helpers.js'
import { listenOnLoopback } from '../interop/support/listening-app.js'
import { ISSUER, METADATA_URL, RESOURCE, authOptions, authServer } from './auth-helpers.js'

async function listening (t: Test): Promise<{ app: FastifyInstance, url: URL }> {
  const app = await buildApp({ auth: authOptions({ requiredScopes: ['mcp:use'] }) }, authServer())
  t.teardown(() => app.close())
  return { app, url: await listenOnLoopback(app) }
}

function sdkClient (url: URL, headers: Record<string, string> = {}): { client: Client, transport: StreamableHTTPClientTransport } {
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers },
    reconnectionOptions: { maxRetries: 0, initialReconnectionDelay: 1000, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1 }
  })
  return { client: new Client({ name: 'sdk-auth-test', version: '1.0.0' }, { capabilities: {} }), transport }
}

test('without a token the SDK client cannot connect: 401', async (t) => {
  const { app, url } = await listening(t)
  const { client, transport } = sdkClient(url)
  t.teardown(() => client.close())
  const err = await client.connect(transport).then(() => null, (e: unknown) => e)
  t.ok(err instanceof StreamableHTTPError, 'the transport reports an HTTP error')
  t.equal((err as StreamableHTTPError).code, 401)
  t.equal(app.mcpSessions.size, 0)
})

test('with Authorization: Bearer the SDK client connects and a tool sees the client id', async (t) => {
  const { app, url } = await listening(t)
  const { client, transport } = sdkClient(url, { Authorization: 'Bearer good' })
  t.teardown(() => client.close())
  await client.connect(transport)
  t.equal(app.mcpSessions.size, 1)
  const result = await client.callTool({ name: 'whoami', arguments: {} })
  const content = result.content as Array<{ type: string, text: string }>
  t.equal(JSON.parse(content[0].text).clientId, 'client-a')
})

test('the SDK reads our challenge and discovers the metadata it points to', async (t) => {
  const { url } = await listening(t)
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify(initializeBody()),
    signal: AbortSignal.timeout(5000)
  })
  t.equal(res.status, 401)
  const params = extractWWWAuthenticateParams(res)
  t.equal(params.resourceMetadataUrl?.href, METADATA_URL)
  t.equal(params.scope, 'mcp:use')
  await res.body?.cancel()
  // The client looks the document up at the server's own well-known URL (path-suffixed first).
  const metadata = await discoverOAuthProtectedResourceMetadata(url)
  t.same(metadata, { resource: RESOURCE, authorization_servers: [ISSUER], scopes_supported: ['mcp:use'] })
})
