import { test } from 'tap'
import { createMcpServer, type McpServer } from '../../lib/index.js'
import { connect } from './rpc.js'
import { fakeContext } from './fake-context.js'

function resourceServer (): McpServer {
  const server = createMcpServer({ name: 'resources', version: '1.0.0' })
  server.resource('readme', 'docs://readme', {
    title: 'Read me',
    description: 'About',
    mimeType: 'text/markdown',
    size: 5,
    annotations: { audience: ['user'], priority: 0.5 },
    icons: [{ src: 'https://example.com/i.png' }],
    _meta: { owner: 'docs' }
  }, () => '# Hi')
  server.resource('plain', 'docs://plain', {}, () => 'no type')
  server.resource('logo', 'img://logo', { mimeType: 'image/png' }, () => Buffer.from([0x89, 0x50, 0x4e, 0x47]))
  server.resource('both', 'docs://both', {}, (uri) => ({
    contents: [{ uri, mimeType: 'text/plain', text: 'one' }, { uri: `${uri}#2`, blob: 'AAE=' }],
    _meta: { pages: 2 }
  }))
  server.resourceTemplate('user', 'users://{id}/profile', { description: 'A user', mimeType: 'application/json' },
    (uri, { id }) => JSON.stringify({ uri, id }))
  server.resourceTemplate('file', 'file:///{+path}', { title: 'A file' }, (_uri, { path }) => `file ${path}`)
  return server
}

test('resources/list shows every static resource exactly as defined, and no template', async (t) => {
  const rpc = await connect(t, resourceServer())
  const { result } = await rpc.call('resources/list')
  t.same(result.resources, [
    {
      uri: 'docs://readme',
      name: 'readme',
      title: 'Read me',
      description: 'About',
      mimeType: 'text/markdown',
      size: 5,
      annotations: { audience: ['user'], priority: 0.5 },
      icons: [{ src: 'https://example.com/i.png' }],
      _meta: { owner: 'docs' }
    },
    { uri: 'docs://plain', name: 'plain' },
    { uri: 'img://logo', name: 'logo', mimeType: 'image/png' },
    { uri: 'docs://both', name: 'both' }
  ])
})

test('resources/templates/list shows the templates', async (t) => {
  const rpc = await connect(t, resourceServer())
  const { result } = await rpc.call('resources/templates/list')
  t.same(result.resourceTemplates, [
    { uriTemplate: 'users://{id}/profile', name: 'user', description: 'A user', mimeType: 'application/json' },
    { uriTemplate: 'file:///{+path}', name: 'file', title: 'A file' }
  ])
})

test('resources/read returns text with the resource mimeType', async (t) => {
  const rpc = await connect(t, resourceServer())
  const { result } = await rpc.call('resources/read', { uri: 'docs://readme' })
  t.same(result, { contents: [{ uri: 'docs://readme', mimeType: 'text/markdown', text: '# Hi' }] })
})

test('resources/read of a resource without mimeType sends none', async (t) => {
  const rpc = await connect(t, resourceServer())
  const { result } = await rpc.call('resources/read', { uri: 'docs://plain' })
  t.same(result, { contents: [{ uri: 'docs://plain', text: 'no type' }] })
})

test('resources/read returns bytes as a base64 blob', async (t) => {
  const rpc = await connect(t, resourceServer())
  const { result } = await rpc.call('resources/read', { uri: 'img://logo' })
  t.same(result, { contents: [{ uri: 'img://logo', mimeType: 'image/png', blob: 'iVBORw==' }] })
})

test('a Uint8Array view is encoded from its own bytes, not its whole buffer', async (t) => {
  const server = createMcpServer({ name: 'bytes', version: '1.0.0' })
  const backing = new Uint8Array([1, 2, 3, 4, 5, 6])
  server.resource('middle', 'bin://middle', {}, () => backing.subarray(2, 4))
  const rpc = await connect(t, server)
  const { result } = await rpc.call('resources/read', { uri: 'bin://middle' })
  t.same(result.contents, [{ uri: 'bin://middle', blob: Buffer.from([3, 4]).toString('base64') }])
})

test('resources/read passes a full contents result through untouched', async (t) => {
  const rpc = await connect(t, resourceServer())
  const { result } = await rpc.call('resources/read', { uri: 'docs://both' })
  t.same(result, {
    contents: [{ uri: 'docs://both', mimeType: 'text/plain', text: 'one' }, { uri: 'docs://both#2', blob: 'AAE=' }],
    _meta: { pages: 2 }
  })
})

test('resources/read of a template URI gives the reader its decoded variables', async (t) => {
  const rpc = await connect(t, resourceServer())
  const { result } = await rpc.call('resources/read', { uri: 'users://ada%20l/profile' })
  t.same(result.contents, [{ uri: 'users://ada%20l/profile', mimeType: 'application/json', text: JSON.stringify({ uri: 'users://ada%20l/profile', id: 'ada l' }) }])
})

test('a {+name} template variable spans slashes', async (t) => {
  const rpc = await connect(t, resourceServer())
  const { result } = await rpc.call('resources/read', { uri: 'file:///var/log/app.log' })
  t.same(result.contents, [{ uri: 'file:///var/log/app.log', text: 'file var/log/app.log' }])
})

test('a static resource wins over a template that matches the same URI', async (t) => {
  const server = createMcpServer({ name: 'order', version: '1.0.0' })
  server.resourceTemplate('any', 'x://{id}', {}, () => 'template')
  server.resource('fixed', 'x://fixed', {}, () => 'static')
  const rpc = await connect(t, server)
  t.equal((await rpc.call('resources/read', { uri: 'x://fixed' })).result.contents[0].text, 'static')
  t.equal((await rpc.call('resources/read', { uri: 'x://other' })).result.contents[0].text, 'template')
})

test('an unknown resource URI is error -32002 with data.uri (legacy era)', async (t) => {
  const rpc = await connect(t, resourceServer())
  const { error } = await rpc.call('resources/read', { uri: 'docs://missing' })
  t.same(error, { code: -32002, message: 'Resource not found: docs://missing', data: { uri: 'docs://missing' } })
})

test('an unknown resource URI is -32602 for a 2026-07-28 request (-32002 is retired there)', async (t) => {
  const server = resourceServer()
  const context = fakeContext({ protocolVersion: '2026-07-28', method: 'resources/read' })
  await t.rejects(Promise.resolve().then(() => server.handleRequest({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'docs://missing' } }, context)),
    { code: -32602, data: { uri: 'docs://missing' } })
})

test('resources/read without a uri string is -32602', async (t) => {
  const rpc = await connect(t, resourceServer())
  const { error } = await rpc.call('resources/read', { uri: 42 })
  t.equal(error.code, -32602)
  t.match(error.message, 'needs a uri string')
})

test('a reader that throws gives -32603 without its message', async (t) => {
  const server = createMcpServer({ name: 'broken', version: '1.0.0' })
  server.resource('broken', 'x://broken', {}, () => { throw new Error('disk on fire') })
  const rpc = await connect(t, server)
  const { error } = await rpc.call('resources/read', { uri: 'x://broken' })
  t.same(error, { code: -32603, message: 'Internal error' })
})

test('resource registration refuses bad input with messages that say what to fix', async (t) => {
  const server = createMcpServer({ name: 'reg', version: '1.0.0' })
  server.resource('a', 'x://a', {}, () => 'a')
  t.throws(() => server.resource('a2', 'x://a', {}, () => 'a'), { name: 'TypeError', message: 'Resource "x://a" is already registered; remove it first' })
  t.throws(() => server.resource('', 'x://b', {}, () => 'b'), { message: 'Resource "x://b" needs a name' })
  t.throws(() => server.resource('c', '', {}, () => 'c'), { message: 'Resource "c" needs a URI' })
  t.throws(() => server.resource('d', 'x://d', {}, 'text' as any), { message: 'Resource "x://d" needs a read function' })
  server.resourceTemplate('t', 'x://t/{id}', {}, () => 't')
  t.throws(() => server.resourceTemplate('t2', 'x://t/{id}', {}, () => 't'), { message: 'Resource template "x://t/{id}" is already registered; remove it first' })
  t.throws(() => server.resourceTemplate('u', 'x://u/{id}', {}, null as any), { message: 'Resource template "x://u/{id}" needs a read function' })
  t.throws(() => server.resourceTemplate('v', 'x://v/{id}', { complete: { name: () => [] } }, () => 'v'), { message: 'Resource template "x://v/{id}" has no variable {name} to complete' })
  t.throws(() => server.resourceTemplate('w', 'x://w/{?q}', {}, () => 'w'), { message: /expression \{\?q\} is not supported/ })
})

test('a template with list shows its concrete resources in resources/list, readable through it', async (t) => {
  const server = createMcpServer({ name: 'files', version: '1.0.0' })
  server.resource('readme', 'docs://readme', {}, () => '# Hi')
  let seenSession: unknown
  server.resourceTemplate('log', 'logs://{day}', {
    mimeType: 'text/plain',
    list: async (ctx) => {
      seenSession = ctx.session?.id
      return [
        { uri: 'logs://monday', name: 'Monday' },
        { uri: 'logs://tuesday', name: 'Tuesday', mimeType: 'text/markdown', size: 12, title: 'Tue' }
      ]
    }
  }, (_uri, { day }) => `log of ${day}`)
  server.resourceTemplate('user', 'users://{id}', {}, () => 'not listed')
  server.resourceTemplate('note', 'notes://{id}', { list: () => [{ uri: 'notes://1', name: 'one' }] }, () => 'note')
  const rpc = await connect(t, server)
  const { result } = await rpc.call('resources/list')
  t.same(result.resources, [
    { uri: 'docs://readme', name: 'readme' },
    { uri: 'logs://monday', name: 'Monday', mimeType: 'text/plain' },
    { uri: 'logs://tuesday', name: 'Tuesday', title: 'Tue', mimeType: 'text/markdown', size: 12 },
    { uri: 'notes://1', name: 'one' }
  ], 'static first, then what listing templates list; a template without list adds nothing')
  t.equal(seenSession, rpc.session, 'list gets the request context')
  const listedTemplates = (await rpc.call('resources/templates/list')).result.resourceTemplates
  t.same(listedTemplates.map((template: any) => Object.keys(template).includes('list')), [false, false, false], 'list is not part of the template listing')
  t.same((await rpc.call('resources/read', { uri: 'logs://monday' })).result.contents, [{ uri: 'logs://monday', mimeType: 'text/plain', text: 'log of monday' }])
})

test('a template list that is not an array or lists a URI the template does not match is a server error', async (t) => {
  const server = createMcpServer({ name: 'bad-list', version: '1.0.0' })
  let entries: unknown = [{ uri: 'other://x', name: 'x' }]
  server.resourceTemplate('log', 'logs://{day}', { list: () => entries as any }, () => 'x')
  const rpc = await connect(t, server)
  t.same((await rpc.call('resources/list')).error, { code: -32603, message: 'Internal error' })
  entries = 'nope'
  t.same((await rpc.call('resources/list')).error, { code: -32603, message: 'Internal error' })
  entries = [{ uri: 'logs://monday' }]
  t.same((await rpc.call('resources/list')).error, { code: -32603, message: 'Internal error' }, 'an entry without a name')
  entries = [null]
  t.same((await rpc.call('resources/list')).error, { code: -32603, message: 'Internal error' })
  t.throws(() => server.resourceTemplate('z', 'z://{id}', { list: [] as any }, () => 'z'), { message: 'Resource template "z://{id}": list must be a function' })
})

test('removeResource and removeResourceTemplate report whether something was removed', async (t) => {
  const server = resourceServer()
  t.equal(server.removeResource('docs://readme'), true)
  t.equal(server.removeResource('docs://readme'), false)
  t.equal(server.removeResourceTemplate('users://{id}/profile'), true)
  t.equal(server.removeResourceTemplate('users://{id}/profile'), false)
  const rpc = await connect(t, server)
  t.equal((await rpc.call('resources/read', { uri: 'docs://readme' })).error.code, -32002)
  t.equal((await rpc.call('resources/read', { uri: 'users://1/profile' })).error.code, -32002)
})
