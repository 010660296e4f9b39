import { test } from 'tap'
import { createMcpServer, type McpServer } from '../../lib/index.js'
import { connect } from './rpc.js'

function listed (pageSize?: number): McpServer {
  const server = createMcpServer({ name: 'pages', version: '1.0.0', pageSize })
  for (let i = 1; i <= 5; i++) {
    server.tool(`tool${i}`, {}, () => 'x')
    server.prompt(`prompt${i}`, {}, () => ({ messages: [] }))
    server.resource(`res${i}`, `x://r/${i}`, {}, () => 'r')
    server.resourceTemplate(`tpl${i}`, `x://t${i}/{id}`, {}, () => 't')
  }
  return server
}

const LISTS = [['tools/list', 'tools'], ['prompts/list', 'prompts'], ['resources/list', 'resources'], ['resources/templates/list', 'resourceTemplates']] as const

test('with pageSize every list comes in pages, followed by nextCursor to the end', async (t) => {
  const rpc = await connect(t, listed(2))
  for (const [method, key] of LISTS) {
    const pages: number[] = []
    let cursor: string | undefined
    do {
      const { result } = await rpc.call(method, cursor === undefined ? {} : { cursor })
      pages.push(result[key].length)
      cursor = result.nextCursor
      if (cursor !== undefined) t.type(cursor, 'string')
    } while (cursor !== undefined)
    t.same(pages, [2, 2, 1], `${method}: 5 items in pages of 2, the last without nextCursor`)
  }
})

test('the pages hold every item once, in order', async (t) => {
  const rpc = await connect(t, listed(3))
  const first = (await rpc.call('tools/list')).result
  const second = (await rpc.call('tools/list', { cursor: first.nextCursor })).result
  t.same([...first.tools, ...second.tools].map((tool: any) => tool.name), ['tool1', 'tool2', 'tool3', 'tool4', 'tool5'])
  t.equal(second.nextCursor, undefined)
})

test('a cursor the server did not issue is -32602', async (t) => {
  const rpc = await connect(t, listed(2))
  const valid = (await rpc.call('tools/list')).result.nextCursor
  for (const cursor of ['nope', 42, '', Buffer.from('o0').toString('base64url'), Buffer.from('o2x').toString('base64url'), `${valid}=`]) {
    const { error } = await rpc.call('tools/list', { cursor })
    t.equal(error.code, -32602, JSON.stringify(cursor))
    t.match(error.message, /Invalid cursor: .* was not issued by this server/)
  }
  const past = Buffer.from('o99').toString('base64url')
  t.match((await rpc.call('prompts/list', { cursor: past })).error, { code: -32602, message: /past the end of the list/ })
})

test('without pageSize a list comes whole, and any cursor is one it never issued', async (t) => {
  const rpc = await connect(t, listed())
  const { result } = await rpc.call('tools/list')
  t.equal(result.tools.length, 5)
  t.equal(result.nextCursor, undefined)
  t.match((await rpc.call('resources/list', { cursor: 'abc' })).error, { code: -32602, message: /does not paginate/ })
})

test('a template list is paginated with the static resources', async (t) => {
  const server = createMcpServer({ name: 'pages', version: '1.0.0', pageSize: 2 })
  server.resource('a', 'x://a', {}, () => 'a')
  server.resourceTemplate('log', 'logs://{day}', { list: () => [{ uri: 'logs://1', name: 'one' }, { uri: 'logs://2', name: 'two' }] }, () => 'l')
  const rpc = await connect(t, server)
  const first = (await rpc.call('resources/list')).result
  const second = (await rpc.call('resources/list', { cursor: first.nextCursor })).result
  t.same([...first.resources, ...second.resources].map((r: any) => r.uri), ['x://a', 'logs://1', 'logs://2'])
})

test('pageSize must be a whole number of at least 1', async (t) => {
  for (const pageSize of [0, 1.5, -1, '10']) {
    t.throws(() => createMcpServer({ name: 'p', version: '1', pageSize: pageSize as any }), { name: 'TypeError', message: /pageSize must be a whole number of at least 1/ })
  }
})
