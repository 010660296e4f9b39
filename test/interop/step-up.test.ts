// Step-up with the real SDK clients (issue 16): a token without repo:admin does not see
// delete_repo, gets 403 insufficient_scope calling it anyway, and succeeds once the client
// holds a token that has the scope; legacy Streamable HTTP (SDK 1.x), 2026-07-28 (SDK v2)
// and HTTP+SSE (SDK 1.x SSEClientTransport), on a real loopback socket.
import { test, type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js'
import { extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js'
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client'
import mcpTransport from '../../lib/index.js'
import { listenOnLoopback } from './support/listening-app.js'
import { accessAuth, repoServer } from '../access/access-helpers.js'

/** The token a client sends, swapped by the test as an authorization server would after step-up. */
class Wallet {
  token = 'reader'
  /** The last 403's challenge, as the client saw it. */
  challenge: ReturnType<typeof extractWWWAuthenticateParams> | null = null
  readonly fetch = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers)
    headers.set('authorization', `Bearer ${this.token}`)
    const res = await fetch(url, { ...init, headers })
    if (res.status === 403) this.challenge = extractWWWAuthenticateParams(res)
    return res
  }
}

async function listening (t: Test): Promise<{ app: FastifyInstance, url: URL }> {
  const app = Fastify({ forceCloseConnections: true })
  await app.register(mcpTransport, { server: repoServer(), auth: accessAuth() })
  t.teardown(() => app.close())
  return { app, url: await listenOnLoopback(app) }
}

function names (tools: Array<{ name: string }>): string[] {
  return tools.map((tool) => tool.name)
}

test('SDK 1.x over Streamable HTTP: hidden, 403 insufficient_scope, then served after step-up', async (t) => {
  const { url } = await listening(t)
  const wallet = new Wallet()
  const client = new Client({ name: 'step-up', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(url, { fetch: wallet.fetch }))
  t.teardown(() => client.close())
  t.same(names((await client.listTools()).tools), ['read_repo'], 'delete_repo is not listed for this token')
  const err = await client.callTool({ name: 'delete_repo', arguments: {} }).then(() => null, (e: unknown) => e)
  t.ok(err instanceof StreamableHTTPError, 'the call failed at the HTTP level')
  t.equal((err as StreamableHTTPError).code, 403)
  t.equal(wallet.challenge?.error, 'insufficient_scope')
  t.equal(wallet.challenge?.scope, 'repo:admin')
  t.equal(wallet.challenge?.resourceMetadataUrl?.href, 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp')
  wallet.token = 'admin'
  t.same((await client.callTool({ name: 'delete_repo', arguments: {} })).content, [{ type: 'text', text: 'deleted' }], 'the same session, the stepped-up token')
  t.same(names((await client.listTools()).tools), ['read_repo', 'delete_repo'])
})

test('SDK v2 in the 2026-07-28 era: hidden, 403 insufficient_scope, then served after step-up', async (t) => {
  const { app, url } = await listening(t)
  const wallet = new Wallet()
  const client = new ModernClient({ name: 'step-up-modern', version: '1.0.0' }, { capabilities: {}, versionNegotiation: { mode: 'auto' } })
  await client.connect(new ModernTransport(url, { fetch: wallet.fetch }))
  t.teardown(() => client.close())
  t.equal(client.getNegotiatedProtocolVersion(), '2026-07-28')
  t.same(names((await client.listTools()).tools), ['read_repo'])
  const err = await client.callTool({ name: 'delete_repo', arguments: {} }).then(() => null, (e: unknown) => e)
  t.ok(err instanceof Error, 'the call failed')
  t.equal(wallet.challenge?.error, 'insufficient_scope')
  t.equal(wallet.challenge?.scope, 'repo:admin')
  wallet.token = 'admin'
  t.same((await client.callTool({ name: 'delete_repo', arguments: {} })).content, [{ type: 'text', text: 'deleted' }])
  t.equal(app.mcpSessions.size, 0, 'no session in this era')
})

test('SDK 1.x over HTTP+SSE: hidden, 403 insufficient_scope on the POST, then served after step-up', async (t) => {
  const { url } = await listening(t)
  const wallet = new Wallet()
  const client = new Client({ name: 'step-up-sse', version: '1.0.0' })
  await client.connect(new SSEClientTransport(new URL('/sse', url), { fetch: wallet.fetch }))
  t.teardown(() => client.close())
  t.same(names((await client.listTools()).tools), ['read_repo'])
  const err = await client.callTool({ name: 'delete_repo', arguments: {} }).then(() => null, (e: unknown) => e)
  t.match(String(err), /HTTP 403/)
  t.equal(wallet.challenge?.error, 'insufficient_scope')
  t.equal(wallet.challenge?.scope, 'repo:admin')
  wallet.token = 'admin'
  t.same((await client.callTool({ name: 'delete_repo', arguments: {} })).content, [{ type: 'text', text: 'deleted' }])
})
