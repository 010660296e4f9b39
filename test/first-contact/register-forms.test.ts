// Issue 13 #1: the design card's own usage, register(mcpTransport, server), threw
// FST_MCP_INVALID_SERVER. Both forms serve the same endpoint; a server is recognised by its
// contract (handleRequest), not by its class.
import Fastify from 'fastify'
import { test, type Test } from 'tap'
import mcpTransport, { type McpServerContract } from '../../lib/index.js'
import { fromSdkServer } from '../../lib/adapters/index.js'
import { McpServer as SdkMcpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { initializeBody, post, testServer } from '../helpers.js'

test('register(mcpTransport, server) serves initialize on /mcp with the defaults', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(mcpTransport, testServer())
  const res = await post(app, initializeBody())
  t.equal(res.statusCode, 200)
  t.match(res.json(), { result: { serverInfo: { name: 'test-server' } } })
  t.type(res.headers['mcp-session-id'], 'string')
  t.equal(app.mcpSessions.size, 1, 'the decorator is there as with the options form')
})

/** Registers `server` alone (the short form) and checks that initialize reaches it. */
async function servedAlone (t: Test, server: McpServerContract, name: string): Promise<void> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(mcpTransport, server)
  const res = await post(app, initializeBody())
  t.equal(res.statusCode, 200)
  t.match(res.json(), { result: { serverInfo: { name } } })
}

test('a plain object with handleRequest is a server too (the contract, not the class)', async (t) => {
  await servedAlone(t, { handleRequest: () => ({ protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'plain', version: '1' } }) }, 'plain')
})

test('an official-SDK adapter passed alone is recognised as the server', async (t) => {
  await servedAlone(t, fromSdkServer(() => new SdkMcpServer({ name: 'sdk', version: '1.0.0' })), 'sdk')
})

test('the short form takes every default; a prefix comes from the enclosing context', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(async (child) => {
    await child.register(mcpTransport, testServer())
  }, { prefix: '/api' })
  await app.register(mcpTransport, { server: testServer(), path: '/other', health: false, legacySse: false, deprecatedRoutes: false })
  t.equal((await post(app, initializeBody(), {}, { url: '/api/mcp' })).statusCode, 200, 'the short form at the default path under the context prefix')
  t.equal((await post(app, initializeBody(), {}, { url: '/other' })).statusCode, 200, 'the options form still takes its options')
})

test('an options object without a server still fails with FST_MCP_INVALID_SERVER', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => {
    await app.register(mcpTransport, { path: '/mcp' } as never)
    await app.ready()
  }, { code: 'FST_MCP_INVALID_SERVER' })
})
