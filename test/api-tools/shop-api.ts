// A real Fastify API of 24 routes, the subject of the route-tools and OpenAPI-tools tests:
// params, querystring, body, headers, response schemas, tags, shared schemas ($ref via
// addSchema), an auth hook, a route that throws, one without schema, binary and streaming
// answers. The same plugin is served over a loopback port for the OpenAPI tests.
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'

export const ADMIN_TOKEN = 'admin-secret'

interface Order { id: number, item: string, quantity: number, status: string }

/** What the app saw: every request's method and URL (an app-level onRequest hook). */
export interface ShopState {
  seen: string[]
  orders: Map<number, Order>
}

export const orderSchema = {
  $id: 'Order',
  type: 'object',
  properties: {
    id: { type: 'integer' },
    item: { type: 'string' },
    quantity: { type: 'integer', minimum: 1 },
    status: { type: 'string', enum: ['open', 'shipped', 'cancelled'] }
  },
  required: ['id', 'item', 'quantity', 'status']
}
const customer = {
  $id: 'Customer',
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, address: { $ref: 'Address#' } },
  required: ['id', 'name']
}
const address = {
  $id: 'Address',
  type: 'object',
  properties: { city: { type: 'string' }, zip: { type: 'string' } }
}
const notFoundAnswer = { type: 'object', properties: { message: { type: 'string' } } }
const orderId = { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] }
const newOrder = {
  type: 'object',
  properties: { item: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } },
  required: ['item', 'quantity']
}

export function shopState (): ShopState {
  return {
    seen: [],
    orders: new Map([
      [1, { id: 1, item: 'book', quantity: 2, status: 'open' }],
      [2, { id: 2, item: 'lamp', quantity: 1, status: 'shipped' }]
    ])
  }
}

/** Declares the shop's routes on `app` (call it after server.routes(app) to have them as tools). */
export async function shopApi (app: FastifyInstance, state: ShopState): Promise<void> {
  app.addSchema(address)
  app.addSchema(orderSchema)
  app.addSchema(customer)
  app.addHook('onRequest', async (request) => {
    state.seen.push(`${request.method} ${request.url}`)
  })
  const { orders } = state
  const notFound = (id: number) => ({ statusCode: 404, error: 'Not Found', message: `Order ${id} not found` })

  app.get('/orders', {
    schema: {
      operationId: 'listOrders',
      summary: 'List orders',
      description: 'Orders, optionally by status',
      tags: ['orders', 'public'],
      querystring: { type: 'object', properties: { status: { type: 'string' }, limit: { type: 'integer', minimum: 1 } } },
      response: { 200: { type: 'array', items: { $ref: 'Order#' } } }
    }
  }, async (request) => {
    const { status, limit } = request.query as { status?: string, limit?: number }
    const list = [...orders.values()].filter((o) => status === undefined || o.status === status)
    return list.slice(0, limit ?? list.length)
  })

  app.get('/orders/:id', {
    config: { mcp: { name: 'get_order', title: 'Get an order' } },
    schema: {
      summary: 'One order',
      tags: ['orders', 'public'],
      params: orderId,
      response: { 200: { $ref: 'Order#' }, 404: notFoundAnswer }
    }
  }, async (request, reply) => {
    const { id } = request.params as { id: number }
    const found = orders.get(id)
    return found ?? reply.code(404).send(notFound(id))
  })

  app.post('/orders', {
    schema: { operationId: 'createOrder', tags: ['orders'], body: newOrder, response: { 201: { $ref: 'Order#' } } }
  }, async (request, reply) => {
    const body = request.body as { item: string, quantity: number }
    const created = { id: orders.size + 1, item: body.item, quantity: body.quantity, status: 'open' }
    orders.set(created.id, created)
    return reply.code(201).send(created)
  })

  app.put('/orders/:id', {
    schema: { tags: ['orders'], params: orderId, body: newOrder, response: { 200: { $ref: 'Order#' }, 404: notFoundAnswer } }
  }, async (request, reply) => {
    const { id } = request.params as { id: number }
    const current = orders.get(id)
    if (current === undefined) return reply.code(404).send(notFound(id))
    const updated = { ...current, ...(request.body as object) }
    orders.set(id, updated)
    return updated
  })

  app.patch('/orders/:id', {
    schema: {
      tags: ['orders'],
      params: orderId,
      body: { type: 'object', properties: { status: { type: 'string', enum: ['open', 'shipped', 'cancelled'] } }, required: ['status'] },
      response: { 200: { $ref: 'Order#' }, 404: notFoundAnswer }
    }
  }, async (request, reply) => {
    const { id } = request.params as { id: number }
    const current = orders.get(id)
    if (current === undefined) return reply.code(404).send(notFound(id))
    current.status = (request.body as { status: string }).status
    return current
  })

  app.delete('/orders/:id', {
    schema: { tags: ['orders'], params: orderId, response: { 204: { type: 'null' } } }
  }, async (request, reply) => {
    orders.delete((request.params as { id: number }).id)
    return reply.code(204).send()
  })

  app.get('/orders/:id/items', {
    schema: {
      tags: ['orders'],
      params: orderId,
      querystring: { type: 'object', properties: { page: { type: 'integer', default: 1 } } },
      response: { 200: { type: 'object', properties: { order: { type: 'integer' }, page: { type: 'integer' }, items: { type: 'array', items: { type: 'string' } } } } }
    }
  }, async (request) => {
    const { id } = request.params as { id: number }
    const { page } = request.query as { page: number }
    return { order: id, page, items: [orders.get(id)?.item ?? 'none'] }
  })

  // Path parameter `id` and body property `id`: the body's becomes the argument `id_body`.
  app.post('/orders/:id/notes', {
    schema: {
      tags: ['orders'],
      params: orderId,
      body: { type: 'object', properties: { id: { type: 'string' }, text: { type: 'string' } }, required: ['text'] },
      response: { 200: { type: 'object', properties: { order: { type: 'integer' }, note: { type: 'string' }, text: { type: 'string' } } } }
    }
  }, async (request) => {
    const { id } = request.params as { id: number }
    const body = request.body as { id?: string, text: string }
    return { order: id, note: body.id ?? 'unnamed', text: body.text }
  })

  app.get('/search', {
    schema: {
      operationId: 'search',
      tags: ['public'],
      querystring: {
        type: 'object',
        properties: { q: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } },
        required: ['q']
      },
      headers: { type: 'object', properties: { 'x-locale': { type: 'string' } } },
      response: { 200: { type: 'object', properties: { q: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, locale: { type: 'string' } } } }
    }
  }, async (request) => {
    const { q, tags = [] } = request.query as { q: string, tags?: string[] }
    return { q, tags, locale: request.headers['x-locale'] ?? 'en' }
  })

  app.get('/customers/:customerId', {
    schema: {
      tags: ['customers'],
      params: { type: 'object', properties: { customerId: { type: 'string' } } },
      response: { 200: { $ref: 'Customer#' } }
    }
  }, async (request) => {
    const { customerId } = request.params as { customerId: string }
    return { id: customerId, name: `Customer ${customerId}`, address: { city: 'Lyon', zip: '69001' } }
  })

  app.get('/customers/:customerId/orders/:orderId', {
    schema: {
      tags: ['customers'],
      params: { type: 'object', properties: { customerId: { type: 'string' }, orderId: { type: 'integer' } } },
      response: { 200: { type: 'object', properties: { customer: { type: 'string' }, order: { $ref: 'Order#' } } }, 404: notFoundAnswer }
    }
  }, async (request, reply) => {
    const { customerId, orderId: id } = request.params as { customerId: string, orderId: number }
    const found = orders.get(id)
    return found === undefined ? reply.code(404).send(notFound(id)) : { customer: customerId, order: found }
  })

  // Reports which headers reached it: forwardHeaders is the only way in.
  app.get('/echo-headers', {
    schema: {
      tags: ['debug'],
      headers: { type: 'object', properties: { 'X-Request-Id': { type: 'string' } }, required: ['X-Request-Id'] },
      response: {
        200: {
          type: 'object',
          properties: {
            requestId: { type: 'string' },
            tenant: { type: ['string', 'null'] },
            cookie: { type: ['string', 'null'] },
            sessionId: { type: ['string', 'null'] }
          }
        }
      }
    }
  }, async (request) => ({
    requestId: request.headers['x-request-id'],
    tenant: request.headers['x-tenant'] ?? null,
    cookie: request.headers.cookie ?? null,
    sessionId: request.headers['mcp-session-id'] ?? null
  }))

  // A plugin of its own (registered later, with a prefix) behind an auth hook.
  await app.register(async function admin (instance) {
    instance.addHook('onRequest', async (request, reply) => {
      if (request.headers.authorization !== `Bearer ${ADMIN_TOKEN}`) {
        return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'admin token required' })
      }
    })
    instance.get('/stats', {
      schema: { tags: ['admin'], response: { 200: { type: 'object', properties: { orders: { type: 'integer' } } } } }
    }, async () => ({ orders: orders.size }))
    instance.post('/reset', {
      schema: { tags: ['admin'], body: { type: 'object', properties: { keep: { type: 'integer' } } }, response: { 200: { type: 'object', properties: { orders: { type: 'integer' } } } } }
    }, async (request) => {
      const keep = (request.body as { keep?: number }).keep ?? 0
      for (const id of [...orders.keys()]) if (id > keep) orders.delete(id)
      return { orders: orders.size }
    })
  }, { prefix: '/admin' })

  app.get('/boom', { schema: { tags: ['debug'], response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, async () => {
    throw new Error('the warehouse is on fire')
  })

  const verbose = { type: 'object', properties: { verbose: { type: 'boolean' } } }
  app.get('/teapot', { schema: { tags: ['debug'], querystring: verbose } }, async (_request, reply) => {
    return reply.code(418).send({ statusCode: 418, error: "I'm a Teapot", message: 'short and stout' })
  })

  // No schema at all: skipped, with a logged reason.
  app.get('/ping', async () => 'pong')

  app.get('/invoices/:id', { schema: { tags: ['billing'], params: orderId } }, async (request, reply) => {
    const { id } = request.params as { id: number }
    return reply.type('application/pdf').send(Buffer.from(`%PDF-1.7 invoice ${id}`))
  })

  // A finite event stream: the tool must refuse it at its headers.
  app.get('/events', { schema: { tags: ['streams'], querystring: verbose } }, async (_request, reply) => {
    return reply.type('text/event-stream').send(Readable.from(['data: one\n\n', 'data: two\n\n']))
  })

  app.get('/version', { schema: { tags: ['public'], response: { 200: { type: 'string' } } } }, async () => '1.2.3')

  app.get('/hidden', {
    config: { mcp: false },
    schema: { hide: true, response: { 200: { type: 'object', properties: { secret: { type: 'string' } } } } }
  }, async () => ({ secret: 'no' }))

  app.post('/signup', {
    schema: {
      tags: ['public'],
      body: { type: 'object', properties: { email: { type: 'string', format: 'email' }, age: { type: 'integer', minimum: 18 } }, required: ['email', 'age'] },
      response: { 201: { type: 'object', properties: { welcome: { type: 'string' } } } }
    }
  }, async (request, reply) => {
    const { email } = request.body as { email: string }
    return reply.code(201).send({ welcome: email })
  })

  app.get('/large', { schema: { tags: ['debug'], querystring: { type: 'object', properties: { bytes: { type: 'integer' } } } } }, async (request, reply) => {
    const { bytes = 1000 } = request.query as { bytes?: number }
    return reply.type('text/plain').send('x'.repeat(bytes))
  })
}

/** Every tool the shop becomes with server.routes(app) and no rules, in declaration order. */
export const SHOP_TOOLS = [
  'listOrders',
  'get_order',
  'createOrder',
  'put_orders_by_id',
  'patch_orders_by_id',
  'delete_orders_by_id',
  'get_orders_by_id_items',
  'post_orders_by_id_notes',
  'search',
  'get_customers_by_customerId',
  'get_customers_by_customerId_orders_by_orderId',
  'get_echo-headers',
  'get_admin_stats',
  'post_admin_reset',
  'get_boom',
  'get_teapot',
  'get_invoices_by_id',
  'get_events',
  'get_version',
  'post_signup',
  'get_large'
]
