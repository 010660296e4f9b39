import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import mcpTransport, { createMcpServer, type McpServer, type McpTransportOptions, type RouteToolOptions } from '../../lib/index.js'
import { ADMIN_TOKEN, SHOP_TOOLS, orderSchema, shopApi, shopState, type ShopState } from './shop-api.js'
import { legacyClient, modernClient, type ToolClient } from './harness.js'

interface Shop {
  app: FastifyInstance
  server: McpServer
  state: ShopState
  client: ToolClient
  logs: Array<{ level: number, msg: string }>
}

async function shop (t: Tap.Test, options?: RouteToolOptions, transport: Partial<McpTransportOptions> = {}, always?: Record<string, string>): Promise<Shop> {
  const logs: Array<{ level: number, msg: string }> = []
  const stream = { write: (line: string) => { logs.push(JSON.parse(line)) } }
  const app = Fastify({ logger: { level: 'debug', stream } })
  const server = createMcpServer({ name: 'shop', version: '1.0.0' })
  server.routes(app, options)
  const state = shopState()
  await shopApi(app, state)
  await app.register(mcpTransport, { server, ...transport })
  await app.ready()
  t.teardown(() => app.close())
  return { app, server, state, client: await legacyClient(app, always), logs }
}

// The shared schema as a tool lists it: inlined, without its $id.
const { $id: _orderId, ...ORDER_SCHEMA } = orderSchema

test('every route with a schema is a tool, in declaration order; MCP routes, schema-less and config.mcp false routes are not', async (t) => {
  const { client, logs } = await shop(t)
  const tools = await client.tools()
  t.same([...tools.keys()], SHOP_TOOLS)
  t.ok(logs.some((line) => line.level === 30 && line.msg === 'MCP route tools: GET /ping is not a tool: it has no schema (params, querystring, headers, body or response) to describe it'),
    'the schema-less route is skipped with a logged reason')
  t.ok(logs.some((line) => line.level === 20 && line.msg === 'MCP route tools: GET /hidden is not a tool: its config.mcp is false'))
})

test('a tool lists its name, title, description, one input schema, the 2xx output schema and annotations', async (t) => {
  const { client } = await shop(t)
  const tools = await client.tools()
  t.same(tools.get('get_order'), {
    name: 'get_order',
    title: 'Get an order',
    description: 'One order',
    inputSchema: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
    outputSchema: ORDER_SCHEMA,
    annotations: { readOnlyHint: true }
  }, 'config.mcp names it; the shared Order schema ($ref Order#) is inlined without its $id')
  t.same(tools.get('listOrders').description, 'List orders\n\nOrders, optionally by status', 'summary and description')
  t.same(tools.get('listOrders').outputSchema, { type: 'object', properties: { result: { type: 'array', items: ORDER_SCHEMA } }, required: ['result'] },
    'an array answer is wrapped as { result }')
  t.same(tools.get('get_customers_by_customerId').outputSchema.properties.address, { type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string' } } },
    'a $ref inside a shared schema is inlined too')
  t.same(tools.get('createOrder').outputSchema, ORDER_SCHEMA, 'the 201 schema')
  t.same(tools.get('createOrder').annotations, {}, 'POST promises nothing')
  t.same(tools.get('put_orders_by_id').annotations, { idempotentHint: true })
  t.same(tools.get('delete_orders_by_id').annotations, { idempotentHint: true, destructiveHint: true })
  t.notOk('outputSchema' in tools.get('delete_orders_by_id'), 'a 204 has no output')
  t.notOk('outputSchema' in tools.get('get_teapot'), 'no 2xx schema, no output schema')
})

test('params, querystring, headers and body merge into one input; collisions get the source appended', async (t) => {
  const { client } = await shop(t)
  const tools = await client.tools()
  t.same(tools.get('post_orders_by_id_notes').inputSchema, {
    type: 'object',
    properties: { id: { type: 'integer' }, id_body: { type: 'string' }, text: { type: 'string' } },
    required: ['id', 'text']
  })
  t.same(tools.get('search').inputSchema, {
    type: 'object',
    properties: { q: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, 'x-locale': { type: 'string' } },
    required: ['q']
  })
  t.same(tools.get('get_echo-headers').inputSchema.required, ['x-request-id'], 'header names in lower case')
  t.same(tools.get('get_invoices_by_id').inputSchema.properties, { id: { type: 'integer' } })
})

test('calls answer what the route answers, through its validator, serializer and hooks', async (t) => {
  const { client, state } = await shop(t)
  const one = await client.call('get_order', { id: 1 })
  t.same(one.structuredContent, { id: 1, item: 'book', quantity: 2, status: 'open' })
  t.same(JSON.parse(one.content[0].text), one.structuredContent, 'and as text for clients that read only content')
  t.notOk(one.isError)
  t.ok(state.seen.includes('GET /orders/1'), "the app's onRequest hook saw the call")

  t.same((await client.call('listOrders', { status: 'shipped' })).structuredContent, { result: [{ id: 2, item: 'lamp', quantity: 1, status: 'shipped' }] })
  t.same((await client.call('listOrders', { limit: 1 })).structuredContent.result.length, 1, 'a number in the query string, coerced by the route')
  const created = await client.call('createOrder', { item: 'pen', quantity: 3 })
  t.same(created.structuredContent, { id: 3, item: 'pen', quantity: 3, status: 'open' }, 'a 201 answer')
  t.same((await client.call('patch_orders_by_id', { id: 3, status: 'shipped' })).structuredContent.status, 'shipped')
  t.same((await client.call('put_orders_by_id', { id: 3, item: 'ink', quantity: 1 })).structuredContent.item, 'ink')
  t.same((await client.call('get_orders_by_id_items', { id: 1 })).structuredContent, { order: 1, page: 1, items: ['book'] }, "the route's default for page")
  t.same((await client.call('post_orders_by_id_notes', { id: 1, id_body: 'n1', text: 'gift wrap' })).structuredContent,
    { order: 1, note: 'n1', text: 'gift wrap' }, 'id went to the path, id_body to the body')
  t.same((await client.call('search', { q: 'lamp', tags: ['a', 'b'], 'x-locale': 'fr' })).structuredContent,
    { q: 'lamp', tags: ['a', 'b'], locale: 'fr' }, 'an array in the query string and a declared header')
  t.same((await client.call('get_customers_by_customerId_orders_by_orderId', { customerId: 'c/1', orderId: 2 })).structuredContent.customer, 'c/1',
    'path values are encoded')
  t.same((await client.call('get_version')).structuredContent, { result: '1.2.3' }, 'a string answer, wrapped')
  t.same(await client.call('delete_orders_by_id', { id: 3 }), { content: [{ type: 'text', text: 'HTTP 204 No Content' }] })
  t.notOk(state.orders.has(3))
  t.same((await client.call('get_large', { bytes: 5 })).content, [{ type: 'text', text: 'xxxxx' }], 'a text answer')
})

test('4xx and 5xx answers are isError results with the status and the error body', async (t) => {
  const { client } = await shop(t)
  t.same(await client.call('get_order', { id: 99 }), {
    content: [{ type: 'text', text: 'HTTP 404 Not Found: {"message":"Order 99 not found"}' }],
    isError: true
  }, "the route's 404, through its 404 response schema")
  const boom = await client.call('get_boom')
  t.equal(boom.isError, true)
  t.match(boom.content[0].text, /^HTTP 500 Internal Server Error: .*the warehouse is on fire/, 'a route that throws')
  t.match((await client.call('get_teapot')).content[0].text, /^HTTP 418 I'm a Teapot: .*short and stout/)
  const invalid = await client.call('post_signup', { email: 'not-an-email', age: 30 })
  t.equal(invalid.isError, true)
  t.match(invalid.content[0].text, /^HTTP 400 Bad Request: .*body\/email must match format/, "the route's own validator refused it")
  t.same((await client.call('post_signup', { email: 'a@b.co', age: 30 })).structuredContent, { welcome: 'a@b.co' })
  const young = await client.call('post_signup', { email: 'a@b.co', age: 9 })
  t.match(young, { isError: true, content: [{ text: /^Invalid arguments for tool post_signup: arguments\/age must be >= 18/ }] },
    'the merged input schema is checked before the route is called')
})

test('binary answers are embedded resources; streams are isError', async (t) => {
  const { client } = await shop(t)
  const pdf = await client.call('get_invoices_by_id', { id: 7 })
  t.same(pdf.content, [{ type: 'resource', resource: { uri: 'http://localhost/invoices/7', mimeType: 'application/pdf', blob: Buffer.from('%PDF-1.7 invoice 7').toString('base64') } }])
  const events = await client.call('get_events')
  t.equal(events.isError, true)
  t.match(events.content[0].text, /HTTP 200 OK: the answer is a stream \(text\/event-stream\)/)
})

test('maxAnswerBytes bounds what a tool reads', async (t) => {
  const { client } = await shop(t, { maxAnswerBytes: 100 })
  t.same(await client.call('get_large', { bytes: 101 }), { content: [{ type: 'text', text: 'HTTP 200 OK: the answer is larger than 100 bytes (maxAnswerBytes)' }], isError: true })
  t.same((await client.call('get_large', { bytes: 100 })).content[0].text.length, 100)
})

test('the auth hook of the app applies; forwardHeaders is the only way a header gets through', async (t) => {
  const closed = await shop(t)
  t.match(await closed.client.call('get_admin_stats', {}, { authorization: `Bearer ${ADMIN_TOKEN}` }),
    { isError: true, content: [{ text: /^HTTP 401 Unauthorized: .*admin token required/ }] }, 'the MCP request\'s Authorization is not forwarded by default')
  t.same((await closed.client.call('get_echo-headers', { 'x-request-id': 'r1' }, { 'x-tenant': 'acme', cookie: 'c=1' })).structuredContent,
    { requestId: 'r1', tenant: null, cookie: null, sessionId: null }, 'nothing of the MCP request reaches the route')

  const open = await shop(t, { forwardHeaders: ['Authorization', 'X-Tenant'] })
  t.same((await open.client.call('get_admin_stats', {}, { authorization: `Bearer ${ADMIN_TOKEN}` })).structuredContent, { orders: 2 })
  t.match(await open.client.call('get_admin_stats', {}, { authorization: 'Bearer wrong' }), { isError: true, content: [{ text: /^HTTP 401/ }] })
  t.same((await open.client.call('get_echo-headers', { 'x-request-id': 'r2' }, { 'x-tenant': 'acme', cookie: 'c=1' })).structuredContent,
    { requestId: 'r2', tenant: 'acme', cookie: null, sessionId: null }, 'the named header, and only it')
})

test('a forwarded header the route declares is not an argument', async (t) => {
  const { client } = await shop(t, { forwardHeaders: ['x-request-id'] })
  const tools = await client.tools()
  t.same(tools.get('get_echo-headers').inputSchema, { type: 'object', properties: {} })
  t.same((await client.call('get_echo-headers', {}, { 'x-request-id': 'from-client' })).structuredContent.requestId, 'from-client')
})

test('with the auth option, forwardToken sends the verified token to the route', async (t) => {
  const auth = {
    verifyToken: (token: string) => ({ token, clientId: 'c', scopes: [] }),
    resourceMetadata: { resource: 'http://localhost/mcp', authorization_servers: ['https://auth.example.com'] }
  }
  const { client } = await shop(t, { forwardToken: true }, { auth }, { authorization: `Bearer ${ADMIN_TOKEN}` })
  const tools = await client.tools()
  t.same(tools.get('get_admin_stats').inputSchema, { type: 'object', properties: {} })
  t.same((await client.call('get_admin_stats')).structuredContent, { orders: 2 }, 'the verified token reached the admin hook')
})

test('include and exclude rules: tags, methods, URL patterns; config.mcp always wins', async (t) => {
  const names = async (options: RouteToolOptions) => [...(await (await shop(t, options)).client.tools()).keys()]
  t.same(await names({ include: { tags: ['public'] } }), ['listOrders', 'get_order', 'search', 'get_version', 'post_signup'])
  t.same(await names({ include: [{ url: '/admin/*' }, { url: /^\/customers\/:customerId$/ }] }), ['get_order', 'get_customers_by_customerId', 'get_admin_stats', 'post_admin_reset'])
  t.same(await names({ include: { methods: ['delete', 'PATCH'] } }), ['get_order', 'patch_orders_by_id', 'delete_orders_by_id'])
  t.same(await names({ include: { tags: ['orders'] }, exclude: [{ methods: ['GET'] }, { url: '/orders/:id/*' }] }),
    ['get_order', 'createOrder', 'put_orders_by_id', 'patch_orders_by_id', 'delete_orders_by_id'])
  t.same(await names({ include: { url: /orders/g } }), (await names({ include: { url: /orders/ } })), 'a /g RegExp matches every time')
  t.same(await names({ include: [] }), ['get_order'], 'no rule: only the routes marked in config')
})

test('tools work the same in the modern era', async (t) => {
  const { app } = await shop(t, { forwardHeaders: ['x-tenant'] })
  const client = modernClient(app)
  t.same([...(await client.tools()).keys()], SHOP_TOOLS)
  t.same((await client.call('get_order', { id: 2 })).structuredContent, { id: 2, item: 'lamp', quantity: 1, status: 'shipped' })
  t.same((await client.call('get_echo-headers', { 'x-request-id': 'm' }, { 'x-tenant': 'modern' })).structuredContent.tenant, 'modern')
  t.match(await client.call('get_order', { id: 50 }), { isError: true, content: [{ text: /^HTTP 404/ }] })
})

test('names: operationId, derived names made valid and unique; an explicit name taken is a startup error', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const server = createMcpServer({ name: 'names', version: '1.0.0' })
  server.tool('get_things', { description: 'already there' }, () => 'x')
  server.routes(app)
  const reply = async () => ({ ok: true })
  const response = { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } }
  app.get('/things', { schema: { response } }, reply)
  app.get('/things/', { schema: { response } }, reply)
  app.get('/', { schema: { response } }, reply)
  app.get('/v1.2/ünïcode stuff', { schema: { response } }, reply)
  app.post('/x', { schema: { operationId: 'do it!', response } }, reply)
  app.route({ method: ['PUT', 'OPTIONS'], url: '/both', schema: { response }, handler: reply })
  app.get(`/${'a'.repeat(140)}`, { schema: { response } }, reply)
  app.get(`/${'a'.repeat(140)}/`, { schema: { response } }, reply)
  await app.ready()
  const rpc = await legacyClientOn(t, server)
  t.same([...(await rpc.tools()).keys()], [
    'get_things', 'get_things_2', 'get_things_3', 'get_root', 'get_v1.2__n_code_stuff', 'do_it', 'put_both',
    `get_${'a'.repeat(124)}`, `get_${'a'.repeat(122)}_2`
  ])

  const clash = Fastify()
  const other = createMcpServer({ name: 'clash', version: '1.0.0' })
  other.routes(clash)
  clash.get('/a', { config: { mcp: { name: 'same' } }, schema: { response } }, reply)
  clash.get('/b', { config: { mcp: { name: 'same' } }, schema: { response } }, reply)
  await t.rejects(clash.ready(), { message: 'GET /b cannot be a tool: Tool "same" is already registered; remove it first' })
})

async function legacyClientOn (t: Tap.Test, server: McpServer): Promise<ToolClient> {
  const mcp = Fastify()
  await mcp.register(mcpTransport, { server })
  await mcp.ready()
  t.teardown(() => mcp.close())
  return legacyClient(mcp)
}

test('server.routes options are checked, naming the option', async (t) => {
  const server = createMcpServer({ name: 'opts', version: '1.0.0' })
  const app = Fastify()
  const bad: Array<[unknown, RegExp]> = [
    [null, /option "server.routes options" is null; expected an options object/],
    [{ include: [{ methods: 'GET' }] }, /"server.routes options.include\[0\].methods" is "GET"; expected an array of HTTP methods/],
    [{ exclude: 3 }, /"server.routes options.exclude" is 3; expected a rule/],
    [{ include: { url: 5 } }, /"server.routes options.include.url" is 5/],
    [{ include: { tags: [1] } }, /"server.routes options.include.tags" is \[1\]/],
    [{ forwardHeaders: ['bad header'] }, /"server.routes options.forwardHeaders" is \["bad header"\]; expected an array of header names/],
    [{ maxAnswerBytes: 0 }, /"server.routes options.maxAnswerBytes" is 0; expected a whole number of at least 1/],
    [{ forwardToken: 'yes' }, /"server.routes options.forwardToken" is "yes"; expected true or false/]
  ]
  for (const [options, message] of bad) t.throws(() => server.routes(app, options as RouteToolOptions), { code: 'FST_MCP_INVALID_OPTION', message })
  await app.close()
})

test('a route that drops the connection is an isError result, not an exception', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const server = createMcpServer({ name: 'hangup', version: '1.0.0' })
  server.routes(app)
  app.get('/hangup', { schema: { querystring: { type: 'object' } } }, (request) => {
    request.raw.destroy()
  })
  await app.ready()
  const client = await legacyClientOn(t, server)
  t.same(await client.call('get_hangup'), { content: [{ type: 'text', text: 'GET /hangup could not be called: response destroyed before completion' }], isError: true })
})
