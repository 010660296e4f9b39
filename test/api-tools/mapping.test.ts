// The mapping rules one by one, on operations written by hand: what the route and OpenAPI
// tests reach only through a whole app.
import { test } from 'tap'
import Fastify from 'fastify'
import { toolInput } from '../../lib/api-tools/input-schema.js'
import { validToolName } from '../../lib/api-tools/tool-naming.js'
import { requestParts } from '../../lib/api-tools/request-parts.js'
import { inlineRefs } from '../../lib/api-tools/schema-refs.js'
import { forwardedHeaders } from '../../lib/api-tools/forwarded-headers.js'
import { compileRule, exclusionReason } from '../../lib/api-tools/operation-filter.js'
import { answerResult } from '../../lib/api-tools/answer-mapping.js'
import { routeOperations } from '../../lib/api-tools/route-operations.js'
import type { ApiOperation } from '../../lib/api-tools/operation.js'
import { createMcpServer } from '../../lib/index.js'
import { fakeContext } from '../server/fake-context.js'
import { settleTimers, trackTimers } from '../interop/support/timer-tracker.js'

function operation (fields: Partial<ApiOperation>): ApiOperation {
  return {
    method: 'POST', path: '/x', operationId: undefined, summary: undefined, description: undefined, tags: [],
    params: undefined, querystring: undefined, headers: undefined, body: undefined, response: undefined, mcp: undefined,
    ...fields
  }
}

test('input: a path parameter without a params schema is a string; a oneOf body is one argument; repeated collisions count up', async (t) => {
  const input = toolInput(operation({
    path: '/items/{body}/:id',
    querystring: { properties: { body: { type: 'integer' } } },
    body: { oneOf: [{ type: 'string' }, { type: 'number' }] }
  }), new Set())
  t.same(input.schema, {
    type: 'object',
    properties: { body: { type: 'string' }, id: { type: 'string' }, body_query: { type: 'integer' }, body_body: { oneOf: [{ type: 'string' }, { type: 'number' }] } },
    required: ['body', 'id', 'body_body']
  }, 'properties without type count as an object schema')
  const twice = toolInput(operation({
    path: '/:a/:a_header',
    headers: { type: 'object', properties: { a: {}, A: {} } }
  }), new Set())
  t.same(Object.keys(twice.schema.properties as object), ['a', 'a_header', 'a_header_2', 'a_header_3'])
  t.same(toolInput(operation({ querystring: { type: 'string' } }), new Set()).schema, { type: 'object', properties: {} }, 'a query string that is no object adds nothing')

  const parts = requestParts('/items/{body}/:id', input.plan, { body: 'b', id: 'x y', body_query: 3, body_body: 42, stray: true })
  t.same(parts, { url: '/items/b/x%20y?body=3', headers: {}, body: 42 }, 'the whole body; an argument the schema does not name is dropped')
})

test('request parts: objects travel as JSON in query and headers, arrays repeat or join', async (t) => {
  const input = toolInput(operation({
    querystring: { type: 'object', properties: { filter: { type: 'object' }, skip: { type: 'string' } } },
    headers: { type: 'object', properties: { 'x-list': { type: 'array' } } },
    body: { type: 'object', properties: {} }
  }), new Set())
  t.same(requestParts('/x', input.plan, { filter: { a: 1 }, skip: null, 'x-list': ['a', { b: 2 }] }),
    { url: '/x?filter=%7B%22a%22%3A1%7D', headers: { 'x-list': 'a, {"b":2}' }, body: {} })
})

test('$refs: an id without fragment, siblings win, and no $id or $schema is kept', async (t) => {
  const shared = { $id: 'Thing', $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', definitions: { n: { type: 'number' } }, properties: { n: { $ref: '#/definitions/n' } } }
  t.same(inlineRefs({ $ref: 'Thing', description: 'a thing' }, {}, (id) => id === 'Thing' ? shared : undefined),
    { type: 'object', properties: { n: { type: 'number' } }, description: 'a thing' })
  t.throws(() => inlineRefs({ $ref: '#/x' }, { x: 3 }, () => undefined), { message: '$ref "#/x" points to nothing' })
})

test('forwarded headers: without HTTP headers nothing; the token only with authInfo; repeated headers joined', async (t) => {
  t.same(forwardedHeaders(['x-a'], fakeContext(), true), {}, 'no httpHeaders, no authInfo')
  t.same(forwardedHeaders(['set-cookie', 'x-b'], fakeContext({ httpHeaders: { 'set-cookie': ['a=1', 'b=2'], 'x-c': 'no' } }), false), { 'set-cookie': 'a=1, b=2' })
  t.same(forwardedHeaders([], fakeContext({ authInfo: { token: 't', clientId: 'c', scopes: [] } }), true), { authorization: 'Bearer t' })
  t.same(forwardedHeaders([], fakeContext({ authInfo: { token: 't', clientId: 'c', scopes: [] } }), false), {})
})

test('filter rules: methods, URL and tags must all match', async (t) => {
  const op = operation({ method: 'GET', path: '/a/b', tags: ['x'] })
  const reason = (include: object[] | undefined, exclude: object[] = []) =>
    exclusionReason({ include: include?.map(compileRule), exclude: exclude.map(compileRule) }, op)
  t.equal(reason(undefined), null)
  t.equal(reason([{ methods: ['get'], url: '/a/*', tags: ['x'] }]), null)
  t.equal(reason([{ methods: ['GET'], tags: ['y'] }]), 'no include rule matches it')
  t.equal(reason([{ url: '/a.b' }]), 'no include rule matches it', 'a URL pattern is literal but for *')
  t.equal(reason(undefined, [{ tags: ['x'] }]), 'an exclude rule matches it')
  t.equal(exclusionReason({ include: [], exclude: [compileRule({})] }, { ...op, mcp: { name: 'kept' } }), null, 'config.mcp wins over the rules')
})

async function answer (status: number, contentType: string | undefined, body: string, output?: Parameters<typeof answerResult>[1]) {
  return answerResult({ status, contentType, body: [Buffer.from(body)], discard: () => {}, url: 'http://h/x' }, output, 100)
}

test('answers: status without reason phrase, binary error bodies, JSON null, text of a string schema', async (t) => {
  t.same(await answer(599, undefined, ''), { content: [{ type: 'text', text: 'HTTP 599' }], isError: true })
  t.same(await answer(500, 'image/png', 'abc'), { content: [{ type: 'text', text: 'HTTP 500 Internal Server Error: 3 bytes of image/png' }], isError: true })
  t.same(await answer(200, 'application/json', 'null'), { content: [{ type: 'text', text: 'null' }] }, 'null is no structuredContent')
  t.same(await answer(200, 'application/problem+json; charset=utf-8', '[1]'), { content: [{ type: 'text', text: '[1]' }] }, 'an array without output schema')
  const numbers = { schema: { type: 'object', properties: { result: { type: 'number' } } }, wrapped: true }
  t.same(await answer(200, 'text/plain', '12', numbers), { content: [{ type: 'text', text: '12' }] }, 'text is no number')
  t.same(await answer(200, 'application/xml', '<a/>'), { content: [{ type: 'text', text: '<a/>' }] })
})

test('route schemas: a body per media type, query as alias, no JSON media, methods as declared', async (t) => {
  const route = {
    method: ['post', 'PUT'],
    url: '/r',
    handler: () => {},
    schema: {
      query: { type: 'object', properties: { q: { type: 'string' } } },
      body: { content: { 'text/plain': { schema: { type: 'string' } } } },
      response: { '2xx': { content: { 'application/json': { schema: { type: 'object', properties: { ok: { type: 'boolean' } } } } } } }
    }
  }
  const [post, put] = routeOperations(route as never, () => undefined)
  t.equal(post.method, 'POST')
  t.equal(put.method, 'PUT')
  t.same(post.querystring, { type: 'object', properties: { q: { type: 'string' } } })
  t.equal(post.body, undefined, 'a body without JSON media type is no JSON body')
  t.same(post.response, { type: 'object', properties: { ok: { type: 'boolean' } } }, "'2xx' and content")
  t.same(routeOperations({ method: 'GET', url: '/', handler: () => {} } as never, () => undefined)[0].tags, [])
})

test('a route whose schema the tool registry cannot compile is a startup error naming the route', async (t) => {
  const app = Fastify()
  const server = createMcpServer({ name: 'bad', version: '1.0.0' })
  server.routes(app)
  app.post('/bad', { schema: { body: { type: 'object', properties: { a: { type: 'nonsense' } } } }, validatorCompiler: () => () => true }, async () => 'x')
  await t.rejects(app.ready(), { message: /^POST \/bad cannot be a tool: Tool "post_bad": the input schema does not compile/ })
})

test('an OpenAPI call whose headers fetch refuses is an isError result', async (t) => {
  const server = createMcpServer({ name: 'h', version: '1.0.0' })
  const ok = { description: 'ok', content: { 'application/json': {} } }
  server.openapi({ openapi: '3.1.0', paths: { '/x': { get: { responses: { 200: ok } } } } }, { baseUrl: 'http://127.0.0.1:1', headers: () => ({ 'x-bad': 'line\nbreak' }) })
  const result = await server.handleRequest({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_x', arguments: {} } }, fakeContext({ httpHeaders: {} }))
  t.match(result, { isError: true, content: [{ text: /^GET \/x could not be called at http:\/\/127.0.0.1:1\/x: .*header/i }] })
})

test('an OpenAPI call the client cancels stops, and a too large answer stops reading', async (t) => {
  const api = Fastify({ forceCloseConnections: true })
  let release = (): void => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  let arrived = (): void => {}
  const arrival = new Promise<void>((resolve) => { arrived = resolve })
  api.get('/slow', async () => {
    arrived()
    await released
    return {}
  })
  api.get('/big', async (_request, reply) => reply.type('text/plain').send('y'.repeat(100_000)))
  t.teardown(() => {
    release()
    return api.close()
  })
  await api.listen({ port: 0, host: '127.0.0.1' })
  const ok = { description: 'ok', content: { 'text/plain': {} } }
  const server = createMcpServer({ name: 'c', version: '1.0.0' })
  server.openapi({ openapi: '3.1.0', paths: { '/slow': { get: { responses: { 200: ok }, parameters: [{ name: 'q', in: 'query' }] } }, '/big': { get: { parameters: [{ name: 'q', in: 'query' }] } } } },
    { baseUrl: `http://127.0.0.1:${(api.server.address() as { port: number }).port}`, maxAnswerBytes: 1000 })
  const timers = trackTimers()
  t.teardown(() => timers.stop())
  const controller = new AbortController()
  const call = server.handleRequest({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_slow', arguments: {} } }, fakeContext({ httpHeaders: {}, signal: controller.signal }))
  await arrival
  controller.abort()
  t.match(await call, { isError: true, content: [{ text: /^GET \/slow could not be called at .*abort/i }] }, 'not reported as a timeout')
  t.same(await server.handleRequest({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_big', arguments: {} } }, fakeContext({ httpHeaders: {} })),
    { content: [{ type: 'text', text: 'HTTP 200 OK: the answer is larger than 1000 bytes (maxAnswerBytes)' }], isError: true })
  await settleTimers()
  t.same(timers.alive(), [], 'every call cleared its timeout timer, however it ended')
})

test('small rules: a name with nothing valid left is "tool"; a RegExp where none belongs is shown as one; path-level parameters alone; an operation that is no object is none', async (t) => {
  t.equal(validToolName('¡¿!'), 'tool')
  const server = createMcpServer({ name: 's', version: '1.0.0' })
  t.throws(() => server.routes(Fastify(), { include: { methods: /GET/ as never } }), { message: /"server.routes options.include.methods" is \/GET\/; expected an array/ })
  server.openapi({ openapi: '3.0.0', paths: { '/n': { get: null }, '/p/{id}': { parameters: [{ name: 'id', in: 'path' }], delete: { responses: { 204: { description: 'gone' } } } } } }, { baseUrl: 'http://127.0.0.1:1' })
  const listed = await server.handleRequest({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }, fakeContext())
  t.same((listed.tools as Array<Record<string, unknown>>).map((tool) => [tool.name, tool.inputSchema]),
    [['delete_p_by_id', { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }]])
})
