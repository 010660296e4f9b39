import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import mcpTransport, { createMcpServer, type McpServer, type OpenApiToolOptions } from '../../lib/index.js'
import { ADMIN_TOKEN, SHOP_TOOLS, shopApi, shopState } from './shop-api.js'
import { legacyClient, modernClient, type ToolClient } from './harness.js'
import { listenOnLoopback } from '../interop/support/listening-app.js'

/** The shop served on a loopback port, and its OpenAPI document as @fastify/swagger writes it. */
async function servedShop (t: Tap.Test): Promise<{ baseUrl: string, document: any }> {
  const api = Fastify()
  await api.register(swagger, { openapi: { openapi: '3.1.0', info: { title: 'shop', version: '1.0.0' } } })
  await shopApi(api, shopState())
  await api.ready()
  t.teardown(() => api.close())
  const url = await listenOnLoopback(api, '')
  const document = api.swagger() as any
  // What config.mcp says on a route, an OpenAPI document says with x-mcp.
  document.paths['/orders/{id}'].get['x-mcp'] = { name: 'get_order', title: 'Get an order' }
  return { baseUrl: url.href.replace(/\/$/, ''), document }
}

async function mcpApp (t: Tap.Test, setup: (server: McpServer, app: FastifyInstance) => void | Promise<void>): Promise<FastifyInstance> {
  const app = Fastify()
  const server = createMcpServer({ name: 'shop', version: '1.0.0' })
  await setup(server, app)
  await app.register(mcpTransport, { server })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

async function openApiClient (t: Tap.Test, options: Partial<OpenApiToolOptions> = {}): Promise<{ app: FastifyInstance, client: ToolClient, baseUrl: string }> {
  const { baseUrl, document } = await servedShop(t)
  const app = await mcpApp(t, (server) => { server.openapi(document, { baseUrl, ...options }) })
  return { app, client: await legacyClient(app), baseUrl }
}

async function routeClient (t: Tap.Test, forwardHeaders: string[] = []): Promise<ToolClient> {
  const app = await mcpApp(t, async (server, app) => {
    server.routes(app, { forwardHeaders })
    await shopApi(app, shopState())
  })
  return legacyClient(app)
}

// The same calls against both: each answer must be the same.
const CALLS: Array<[string, Record<string, unknown>, Record<string, string>?]> = [
  ['get_order', { id: 1 }],
  ['get_order', { id: 99 }],
  ['listOrders', { status: 'open' }],
  ['createOrder', { item: 'pen', quantity: 3 }],
  ['patch_orders_by_id', { id: 3, status: 'shipped' }],
  ['put_orders_by_id', { id: 3, item: 'ink', quantity: 1 }],
  ['get_orders_by_id_items', { id: 1 }],
  ['post_orders_by_id_notes', { id: 1, id_body: 'n1', text: 'gift' }],
  ['search', { q: 'lamp', tags: ['a', 'b'], 'x-locale': 'fr' }],
  ['get_customers_by_customerId', { customerId: 'c1' }],
  ['get_customers_by_customerId_orders_by_orderId', { customerId: 'c/1', orderId: 2 }],
  ['get_echo-headers', { 'x-request-id': 'r1' }, { 'x-tenant': 'acme', cookie: 'c=1' }],
  ['get_admin_stats', {}],
  ['get_admin_stats', {}, { authorization: `Bearer ${ADMIN_TOKEN}` }],
  ['post_admin_reset', { keep: 1 }, { authorization: `Bearer ${ADMIN_TOKEN}` }],
  ['delete_orders_by_id', { id: 1 }],
  ['get_boom', {}],
  ['get_teapot', {}],
  ['get_events', {}],
  ['get_version', {}],
  ['post_signup', { email: 'not-an-email', age: 30 }],
  ['post_signup', { email: 'a@b.co', age: 30 }],
  ['get_large', { bytes: 12 }]
]

/** A schema without the `title`s @fastify/swagger gives the shared schemas it moves to components. */
function untitled (schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(untitled)
  if (schema === null || typeof schema !== 'object') return schema
  return Object.fromEntries(Object.entries(schema).filter(([key]) => key !== 'title').map(([key, value]) => [key, untitled(value)]))
}

test('the shop described by @fastify/swagger gives the same tools as its routes', async (t) => {
  const { client } = await openApiClient(t)
  const fromRoutes = await (await routeClient(t)).tools()
  const fromOpenApi = await client.tools()
  // Document order groups operations by path: the tools are the same, the order differs.
  t.same([...fromOpenApi.keys()].sort(), [...SHOP_TOOLS].sort())
  t.equal(fromOpenApi.get('get_order').outputSchema.title, 'Order', 'swagger titles the shared Order schema')
  for (const [name, tool] of fromRoutes) {
    const listed = fromOpenApi.get(name)
    t.same({ ...listed, inputSchema: untitled(listed.inputSchema), outputSchema: untitled(listed.outputSchema) },
      { ...tool, outputSchema: untitled(tool.outputSchema) }, `${name} is listed alike`)
  }
})

test('the OpenAPI tools answer what the routes answer', async (t) => {
  const forward = ['authorization', 'x-tenant']
  const openapi = (await openApiClient(t, { forwardHeaders: forward })).client
  const routes = await routeClient(t, forward)
  for (const [name, args, headers] of CALLS) {
    t.same(await openapi.call(name, args, headers), await routes.call(name, args, headers), `${name} ${JSON.stringify(args)}`)
  }
})

test('binary answers are embedded resources whose URI is the called URL', async (t) => {
  const { client, baseUrl } = await openApiClient(t)
  t.same((await client.call('get_invoices_by_id', { id: 7 })).content, [{
    type: 'resource',
    resource: { uri: `${baseUrl}/invoices/7`, mimeType: 'application/pdf', blob: Buffer.from('%PDF-1.7 invoice 7').toString('base64') }
  }])
})

test('modern era: list, call, read structuredContent', async (t) => {
  const { app } = await openApiClient(t)
  const client = modernClient(app)
  t.same([...(await client.tools()).keys()].sort(), [...SHOP_TOOLS].sort())
  t.same((await client.call('get_order', { id: 2 })).structuredContent, { id: 2, item: 'lamp', quantity: 1, status: 'shipped' })
})
