// Tools, resources and prompts added or removed after the server started are announced on
// every session's GET stream (2025-11-25 server/tools, resources, prompts §List Changed).
import { test } from 'tap'
import { buildApp } from '../helpers.js'
import { createMcpServer } from '../../lib/index.js'
import { HttpSession, listen } from './http-client.js'

test('adding and removing tools, resources, templates and prompts sends list_changed', async (t) => {
  const server = createMcpServer({ name: 'changing', version: '1.0.0' })
  server.tool('first', {}, () => 'x')
  const url = await listen(t, await buildApp({}, server))
  const sessions = [await HttpSession.open(url), await HttpSession.open(url)]
  const streams = await Promise.all(sessions.map((s) => s.listen()))
  t.teardown(async () => { for (const stream of streams) await stream.close() })

  const changes: Array<[() => unknown, string]> = [
    [() => server.tool('second', {}, () => 'x'), 'notifications/tools/list_changed'],
    [() => server.removeTool('second'), 'notifications/tools/list_changed'],
    [() => server.resource('r', 'x://r', {}, () => 'x'), 'notifications/resources/list_changed'],
    [() => server.removeResource('x://r'), 'notifications/resources/list_changed'],
    [() => server.resourceTemplate('t', 'x://{id}', {}, () => 'x'), 'notifications/resources/list_changed'],
    [() => server.removeResourceTemplate('x://{id}'), 'notifications/resources/list_changed'],
    [() => server.prompt('p', {}, () => 'x'), 'notifications/prompts/list_changed'],
    [() => server.removePrompt('p'), 'notifications/prompts/list_changed']
  ]
  for (const [change, method] of changes) {
    change()
    for (const stream of streams) t.same(await stream.next(), { jsonrpc: '2.0', method }, method)
  }
})

test('removing something that does not exist announces nothing', async (t) => {
  const server = createMcpServer({ name: 'steady', version: '1.0.0' })
  server.tool('only', {}, () => 'x')
  const session = await HttpSession.open(await listen(t, await buildApp({}, server)))
  const stream = await session.listen()
  t.equal(server.removeTool('ghost'), false)
  t.equal(server.removeResource('x://ghost'), false)
  t.equal(server.removeResourceTemplate('x://{ghost}'), false)
  t.equal(server.removePrompt('ghost'), false)
  await t.rejects(stream.next(200), /timed out/, 'nothing was sent')
  await stream.close()
})
