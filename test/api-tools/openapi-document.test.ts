import { test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import mcpTransport, { createMcpServer, type OpenApiToolOptions } from '../../lib/index.js'
import { legacyClient, type ToolClient } from './harness.js'
import { listenOnLoopback } from '../interop/support/listening-app.js'

const ok = { description: 'ok', content: { 'application/json': { schema: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }

function doc (paths: Record<string, unknown>, components: Record<string, unknown> = {}) {
  return { openapi: '3.0.3', info: { title: 't', version: '1' }, paths, components }
}

interface Logged { level: string, message: string }

async function toolsOf (t: Tap.Test, document: unknown, options: Partial<OpenApiToolOptions> = {}): Promise<{ client: ToolClient, logged: Logged[] }> {
  const logged: Logged[] = []
  const logger = {
    debug: (message: string) => logged.push({ level: 'debug', message }),
    info: (message: string) => logged.push({ level: 'info', message }),
    warn: (message: string) => logged.push({ level: 'warn', message })
  }
  const server = createMcpServer({ name: 'doc', version: '1.0.0' })
  server.openapi(document as object, { baseUrl: 'http://127.0.0.1:9/api/', logger, ...options })
  const app = Fastify()
  await app.register(mcpTransport, { server })
  await app.ready()
  t.teardown(() => app.close())
  return { client: await legacyClient(app), logged }
}

test('parameters of the path item and the operation, $refs into components, recursion', async (t) => {
  const document = doc({
    '/trees/{treeId}': {
      parameters: [{ $ref: '#/components/parameters/TreeId' }, { name: 'x-trace', in: 'header', schema: { type: 'string' } }],
      get: {
        operationId: 'getTree',
        parameters: [
          { name: 'x-trace', in: 'header', required: true, description: 'Trace id', schema: { type: 'string' } },
          { name: 'depth', in: 'query' },
          { name: 'session', in: 'cookie', schema: { type: 'string' } }
        ],
        responses: { '2XX': { $ref: '#/components/responses/Tree' } }
      },
      description: 'not an operation'
    },
    '/trees': { $ref: '#/components/pathItems/Trees' }
  }, {
    parameters: { TreeId: { name: 'treeId', in: 'path', schema: { type: 'integer' } } },
    responses: { Tree: { description: 'a tree', content: { 'application/json': { schema: { $ref: '#/components/schemas/Node' } } } } },
    schemas: {
      Node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } }
    },
    pathItems: { Trees: { post: { requestBody: { content: { 'application/json': { schema: { type: 'array', items: { type: 'string' } } } } }, responses: { 201: ok } } } }
  })
  const { client } = await toolsOf(t, document)
  const tools = await client.tools()
  t.same([...tools.keys()], ['getTree', 'post_trees'])
  t.same(tools.get('getTree').inputSchema, {
    type: 'object',
    properties: {
      treeId: { type: 'integer' },
      depth: { type: 'string' },
      'x-trace': { type: 'string', description: 'Trace id' }
    },
    required: ['treeId', 'x-trace']
  }, 'the operation redefines x-trace; a parameter without schema is a string; cookies are not arguments')
  t.same(tools.get('getTree').outputSchema, {
    type: 'object',
    properties: { name: { type: 'string' }, children: { type: 'array', items: {} } }
  }, "the '2XX' answer; the recursive reference becomes any value")
  t.same(tools.get('post_trees').inputSchema, { type: 'object', properties: { body: { type: 'array', items: { type: 'string' } } }, required: ['body'] },
    'a body that is not an object is one argument')
})

test('what cannot be a tool is reported to the logger', async (t) => {
  const document = doc({
    '/upload': { post: { requestBody: { content: { 'multipart/form-data': { schema: { type: 'object' } } } }, responses: { 200: ok } } },
    '/ping': { get: { responses: { 200: { description: 'pong' } } } },
    '/internal': { get: { 'x-mcp': false, responses: { 200: ok } } },
    '/marked': { get: { 'x-mcp': { name: 'marked' }, responses: { 204: { description: 'none' } } } }
  })
  const { client, logged } = await toolsOf(t, document, { exclude: { url: '/nothing' } })
  t.match(await client.call('marked'), { error: { code: -32601 } }, 'no tool at all: the server has no tools capability')
  t.same(logged, [
    { level: 'info', message: 'MCP OpenAPI tools: POST /upload is not a tool: its request body is not JSON' },
    { level: 'info', message: 'MCP OpenAPI tools: GET /ping is not a tool: it has no schema (params, querystring, headers, body or response) to describe it' },
    { level: 'debug', message: 'MCP OpenAPI tools: GET /internal is not a tool: its config.mcp is false' },
    { level: 'warn', message: 'MCP OpenAPI tools: GET /marked is not a tool: it has no schema (params, querystring, headers, body or response) to describe it' }
  ])
})

test('without a logger, skipped operations are not reported anywhere', async (t) => {
  const server = createMcpServer({ name: 'doc', version: '1.0.0' })
  t.doesNotThrow(() => server.openapi(doc({ '/ping': { get: { responses: {} } }, '/up': { put: { requestBody: { content: { 'text/plain': {} } } } } }), { baseUrl: 'http://127.0.0.1:9' }))
})

test('a document that is not OpenAPI 3.x, or a $ref to nothing, is refused at once', async (t) => {
  const server = createMcpServer({ name: 'doc', version: '1.0.0' })
  const baseUrl = 'http://127.0.0.1:9'
  t.throws(() => server.openapi({ swagger: '2.0', paths: {} }, { baseUrl }), { code: 'FST_MCP_INVALID_OPTION', message: /"server.openapi document" is an object with openapi undefined; expected an OpenAPI 3.x document/ })
  t.throws(() => server.openapi('{}' as unknown as object, { baseUrl }), { message: /is string;/ })
  t.throws(() => server.openapi({ openapi: '3.1.0' }, { baseUrl }), { code: 'FST_MCP_INVALID_OPTION' })
  t.throws(() => server.openapi(doc({ '/a': { get: { responses: { 200: { $ref: '#/components/responses/Missing' } } } } }), { baseUrl }),
    { message: 'OpenAPI path /a: $ref "#/components/responses/Missing" points to nothing' })
  t.throws(() => server.openapi(doc({ '/a': { get: { responses: { 200: { $ref: 'other.yaml#/Thing' } } } } }), { baseUrl }),
    { message: 'OpenAPI path /a: $ref "other.yaml#/Thing" names no known schema' })
  t.throws(() => server.openapi(doc({ '/a~b': { get: { responses: { 200: { $ref: '#/paths/~1a~0b/get/nothing' } } } } }), { baseUrl }),
    { message: /points to nothing/ }, 'RFC 6901 escapes are decoded')
})

test('server.openapi options are checked, naming the option', async (t) => {
  const server = createMcpServer({ name: 'doc', version: '1.0.0' })
  const document = doc({})
  const bad: Array<[unknown, RegExp]> = [
    [undefined, /"server.openapi options" is undefined; expected an options object/],
    [{}, /"server.openapi options.baseUrl" is undefined; expected an absolute http\(s\) URL/],
    [{ baseUrl: 'ftp://x' }, /options.baseUrl" is "ftp:\/\/x"/],
    [{ baseUrl: 'http://x/?q=1' }, /options.baseUrl" is "http:\/\/x\/\?q=1"/],
    [{ baseUrl: 'http://x', headers: {} }, /"server.openapi options.headers" is "object"; expected a function/],
    [{ baseUrl: 'http://x', logger: null }, /"server.openapi options.logger" is "object"; expected a pino-like logger/],
    [{ baseUrl: 'http://x', logger: { info () {} } }, /options.logger/],
    [{ baseUrl: 'http://x', timeout: 1.5 }, /"server.openapi options.timeout" is 1.5/]
  ]
  for (const [options, message] of bad) t.throws(() => server.openapi(document, options as OpenApiToolOptions), { code: 'FST_MCP_INVALID_OPTION', message })
})

/** An API on a loopback port whose routes misbehave on purpose. */
async function unreliableApi (t: Tap.Test): Promise<{ base: URL, api: FastifyInstance, seen: Array<Record<string, unknown>> }> {
  // The timed-out /slow request still runs when the test ends: its connection would keep
  // close() waiting for the keep-alive timeout ('idle' closes only what is idle at once).
  const api = Fastify({ forceCloseConnections: true })
  const seen: Array<Record<string, unknown>> = []
  let release = (): void => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  api.get('/slow', async (request) => {
    seen.push(request.headers)
    await released
    return { ok: true }
  })
  api.get('/bad-json', async (_request, reply) => reply.type('application/json').send('{not json'))
  api.get('/redirect', async (_request, reply) => reply.redirect('/elsewhere'))
  t.teardown(() => {
    release()
    return api.close()
  })
  return { base: await listenOnLoopback(api, '/'), api, seen }
}

const calls = doc({
  '/slow': { get: { operationId: 'slow', responses: { 200: ok } } },
  '/bad-json': { get: { operationId: 'badJson', responses: { 200: ok } } },
  '/redirect': { get: { operationId: 'redirect', responses: { 200: ok } } }
})

test('calls over HTTP: timeout, unreachable API, answers that are not what they claim', async (t) => {
  const { base, seen } = await unreliableApi(t)
  const { client } = await toolsOf(t, calls, {
    baseUrl: base.href,
    timeout: 1500,
    headers: async (context) => ({ authorization: 'Bearer api-key', 'x-mcp-request': String(context.requestId) })
  })
  t.same(await client.call('badJson'), { content: [{ type: 'text', text: '{not json' }] }, 'JSON that does not parse is text')
  t.same(await client.call('slow'), { content: [{ type: 'text', text: 'GET /slow did not answer within 1500 ms (timeout)' }], isError: true })
  t.equal(seen[0].authorization, 'Bearer api-key', 'options.headers supplied the credentials')
  t.type(seen[0]['x-mcp-request'], 'string', 'computed per call from the context')
  t.match(await client.call('redirect'), { isError: true, content: [{ text: /^HTTP 302 Found/ }] }, 'redirects are not followed')

  // A port nothing listens on any more.
  const gone = Fastify()
  const goneUrl = await listenOnLoopback(gone, '')
  await gone.close()
  const { client: nowhere } = await toolsOf(t, calls, { baseUrl: goneUrl.origin })
  t.same(await nowhere.call('badJson'), { content: [{ type: 'text', text: `GET /bad-json could not be called at ${goneUrl.origin}/bad-json: ECONNREFUSED` }], isError: true })
})
