// examples/sdk-server.ts: an unchanged SDK McpServer served by the plugin through fromSdkServer.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'tap'
import { buildSdkApp } from '../../examples/sdk-server.js'
import { initSession, post, sessionHeaders, sseMessages } from '../helpers.js'

test('the SDK example serves its tools and resources over the plugin', async (t) => {
  const app = await buildSdkApp()
  t.teardown(() => app.close())
  const session = await initSession(app)
  const add = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'add', arguments: { a: 2, b: 40 } } }, sessionHeaders(session))
  t.same(add.json().result.content, [{ type: 'text', text: '42' }])
  const read = await post(app, { jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: 'docs://readme' } }, sessionHeaders(session))
  t.match(read.json().result.contents[0].text, 'served by fastify-mcp-transport')
  const countdown = await post(app, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'countdown', arguments: { n: 2 }, _meta: { progressToken: 'c' } } }, sessionHeaders(session))
  t.same(sseMessages(countdown.body).map((m) => m.params?.progress ?? m.result?.content[0].text), [1, 2, 'Liftoff!'])
  const health = await app.inject('/health')
  t.equal(health.json().active_sessions, 1, 'the plugin keeps the sessions, not hand-written code')
})

test('the SDK is imported for types only: apps that skip the adapter never load it', async (t) => {
  const root = join(import.meta.dirname, '../../lib')
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'))
  const runtimeImports = files.flatMap((file) => {
    const source = readFileSync(join(root, file), 'utf8')
    return [...source.matchAll(/^\s*(import|export)\s+(?!type\b)[^;]*?from\s+'@modelcontextprotocol\/sdk[^']*'/gm)].map(() => file)
  })
  t.same(runtimeImports, [], 'no value import of @modelcontextprotocol/sdk anywhere in lib/')
  t.notMatch(readFileSync(join(root, 'index.ts'), 'utf8'), /adapters/, 'the main entry does not reference the adapters entry')
})
