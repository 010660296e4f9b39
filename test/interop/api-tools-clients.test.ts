// The official clients against route tools and OpenAPI tools, both eras: list, call, read
// structuredContent. The SDK clients check structuredContent against each tool's
// outputSchema, so a wrong output mapping fails here.
import { test } from 'tap'
import Fastify from 'fastify'
import swagger from '@fastify/swagger'
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client'
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import mcpTransport, { createMcpServer, type McpServer } from '../../lib/index.js'
import { SHOP_TOOLS, shopApi, shopState } from '../api-tools/shop-api.js'
import { listenOnLoopback } from './support/listening-app.js'

async function mcpUrl (t: Tap.Test, setup: (server: McpServer, app: ReturnType<typeof Fastify>) => Promise<void>): Promise<URL> {
  const app = Fastify()
  const server = createMcpServer({ name: 'shop', version: '1.0.0' })
  await setup(server, app)
  await app.register(mcpTransport, { server })
  t.teardown(() => app.close())
  return listenOnLoopback(app)
}

const sources: Record<string, (t: Tap.Test) => Promise<URL>> = {
  routes: (t) => mcpUrl(t, async (server, app) => {
    server.routes(app)
    await shopApi(app, shopState())
  }),
  openapi: async (t) => {
    const api = Fastify()
    await api.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 'shop', version: '1.0.0' } } })
    await shopApi(api, shopState())
    t.teardown(() => api.close())
    const base = await listenOnLoopback(api, '')
    const document = api.swagger() as any
    document.paths['/orders/{id}'].get['x-mcp'] = { name: 'get_order' }
    return mcpUrl(t, async (server) => { server.openapi(document, { baseUrl: base.origin }) })
  }
}

interface AnyClient {
  listTools (): Promise<{ tools: Array<{ name: string }> }>
  callTool (params: { name: string, arguments: Record<string, unknown> }): Promise<any>
}

async function exercise (t: Tap.Test, client: AnyClient): Promise<void> {
  const { tools } = await client.listTools()
  t.same(tools.map((tool) => tool.name).sort(), [...SHOP_TOOLS].sort())
  t.same((await client.callTool({ name: 'get_order', arguments: { id: 1 } })).structuredContent, { id: 1, item: 'book', quantity: 2, status: 'open' })
  t.same((await client.callTool({ name: 'listOrders', arguments: { status: 'shipped' } })).structuredContent,
    { result: [{ id: 2, item: 'lamp', quantity: 1, status: 'shipped' }] }, 'a wrapped array answer passes the client\'s output check')
  t.same((await client.callTool({ name: 'get_version', arguments: {} })).structuredContent, { result: '1.2.3' })
  const missing = await client.callTool({ name: 'get_order', arguments: { id: 404 } })
  t.equal(missing.isError, true, 'a 404 is a result the client reads, not a thrown error')
  t.match(missing.content[0].text, /^HTTP 404 Not Found/)
}

for (const [source, start] of Object.entries(sources)) {
  test(`${source}: the SDK 1.x client (legacy session era)`, async (t) => {
    const url = await start(t)
    const client = new LegacyClient({ name: 'legacy', version: '1.0.0' })
    await client.connect(new LegacyTransport(url))
    t.teardown(() => client.close())
    await exercise(t, client as unknown as AnyClient)
  })

  test(`${source}: the SDK v2 client (2026-07-28, stateless)`, async (t) => {
    const url = await start(t)
    const client = new ModernClient({ name: 'modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } })
    await client.connect(new ModernTransport(url))
    t.teardown(() => client.close())
    t.equal(client.getNegotiatedProtocolVersion(), '2026-07-28')
    await exercise(t, client as unknown as AnyClient)
  })
}
