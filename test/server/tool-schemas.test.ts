// Tool input schemas are listed exactly as given (SEP-1613, SEP-2106) and compiled once, at
// registration, in the dialect they declare (2025-11-25 basic §JSON Schema Usage).
import { test } from 'tap'
import { Type } from '@sinclair/typebox'
import { createMcpServer } from '../../lib/index.js'
import { JSON_SCHEMA_2020_12_INPUT } from '../../examples/conformance-server.js'
import { connect } from './rpc.js'

const DRAFT_07 = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  definitions: { count: { type: 'integer', minimum: 0 } },
  properties: { n: { $ref: '#/definitions/count' } },
  required: ['n']
}

test('a JSON Schema 2020-12 input schema is listed byte for byte', async (t) => {
  const server = createMcpServer({ name: 'schemas', version: '1.0.0' })
  const input = structuredClone(JSON_SCHEMA_2020_12_INPUT)
  server.tool('json_schema_2020_12_tool', { description: 'Tool with JSON Schema 2020-12 features', input }, () => 'ok')
  const rpc = await connect(t, server)
  const { result } = await rpc.call('tools/list')
  t.equal(JSON.stringify(result.tools[0].inputSchema), JSON.stringify(JSON_SCHEMA_2020_12_INPUT), 'same keys, same order, same values')
  t.same(input, JSON_SCHEMA_2020_12_INPUT, 'compiling did not touch the schema')
})

test('the 2020-12 schema validates calls: $ref into $defs, if/then/else, allOf/anyOf, additionalProperties', async (t) => {
  const server = createMcpServer({ name: 'schemas', version: '1.0.0' })
  server.tool('contact', { input: JSON_SCHEMA_2020_12_INPUT }, (args) => JSON.stringify(args))
  const rpc = await connect(t, server)
  const call = (args: unknown) => rpc.call('tools/call', { name: 'contact', arguments: args })
  t.notOk((await call({ contactMethod: 'phone', phone: '555', address: { city: 'Rome' } })).result.isError, 'a valid call runs')
  const thenBranch = await call({ contactMethod: 'phone', email: 'a@b.c' })
  t.equal(thenBranch.result.isError, true)
  t.match(thenBranch.result.content[0].text, "must have required property 'phone'")
  t.match((await call({ email: 'a@b.c', extra: 1 })).result.content[0].text, 'must NOT have additional properties')
  t.match((await call({ email: 'a@b.c', address: { city: 5 } })).result.content[0].text, 'arguments/address/city must be string')
})

test('a draft-07 schema (what zod-to-json-schema emits) compiles and validates', async (t) => {
  const server = createMcpServer({ name: 'draft7', version: '1.0.0' })
  server.tool('count', { input: DRAFT_07 }, ({ n }: { n: number }) => String(n))
  server.tool('count-too', { input: { ...DRAFT_07, $schema: 'http://json-schema.org/draft-07/schema' } }, ({ n }: { n: number }) => String(n))
  const rpc = await connect(t, server)
  t.equal((await rpc.call('tools/call', { name: 'count', arguments: { n: 3 } })).result.content[0].text, '3')
  t.match((await rpc.call('tools/call', { name: 'count', arguments: { n: -1 } })).result.content[0].text, 'arguments/n must be >= 0')
  t.same((await rpc.call('tools/list')).result.tools[0].inputSchema, DRAFT_07)
})

test('a TypeBox schema is listed as plain JSON Schema', async (t) => {
  const server = createMcpServer({ name: 'typebox', version: '1.0.0' })
  server.tool('add', { input: Type.Object({ a: Type.Number() }) }, () => 'x')
  const rpc = await connect(t, server)
  t.same((await rpc.call('tools/list')).result.tools[0].inputSchema, { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] })
})

test('a schema in an unsupported dialect is refused at registration', async (t) => {
  const server = createMcpServer({ name: 'dialects', version: '1.0.0' })
  t.throws(() => server.tool('old', { input: { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' } }, () => 'x'),
    { name: 'TypeError', message: 'Tool "old": the input schema uses JSON Schema dialect "http://json-schema.org/draft-04/schema#", which is not supported; use 2020-12 (MCP\'s default) or draft-07' })
  t.throws(() => server.tool('odd', { input: { $schema: 7, type: 'object' } as object }, () => 'x'), { message: /dialect 7, which is not supported/ })
})

test('a schema that does not compile is refused at registration with the tool name', async (t) => {
  const server = createMcpServer({ name: 'broken', version: '1.0.0' })
  t.throws(() => server.tool('broken', { input: { type: 'object', properties: { a: { type: 'strnig' } } } }, () => 'x'),
    { name: 'TypeError', message: /^Tool "broken": the input schema does not compile: schema is invalid/ })
  t.same(server.capabilities(), { logging: {} }, 'nothing was registered')
})

test('a tool can be removed and registered again with a schema of the same $id', async (t) => {
  const server = createMcpServer({ name: 'ids', version: '1.0.0' })
  server.tool('v', { input: { $id: 'https://example.com/args', type: 'object' } }, () => 'x')
  server.removeTool('v')
  server.tool('v', { input: { $id: 'https://example.com/args', type: 'object', required: ['a'] } }, () => 'x')
  server.tool('w', { input: { $id: 'https://example.com/args', type: 'object' } }, () => 'x')
  const rpc = await connect(t, server)
  t.equal((await rpc.call('tools/call', { name: 'v', arguments: {} })).result.isError, true, 'the second schema is the one in force')
  t.notOk((await rpc.call('tools/call', { name: 'w', arguments: {} })).result.isError)
})

test('title, output schema, annotations, icons and _meta are listed', async (t) => {
  const server = createMcpServer({ name: 'listing', version: '1.0.0' })
  server.tool('full', {
    title: 'Full',
    description: 'Everything',
    output: { type: 'object' },
    annotations: { readOnlyHint: true },
    icons: [{ src: 'https://example.com/t.png', mimeType: 'image/png' }],
    _meta: { owner: 'me' }
  }, () => ({ content: [], structuredContent: {} }))
  const rpc = await connect(t, server)
  t.same((await rpc.call('tools/list')).result.tools[0], {
    name: 'full',
    title: 'Full',
    description: 'Everything',
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object' },
    annotations: { readOnlyHint: true },
    icons: [{ src: 'https://example.com/t.png', mimeType: 'image/png' }],
    _meta: { owner: 'me' }
  })
})
