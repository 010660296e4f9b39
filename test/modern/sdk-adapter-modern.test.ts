// An official-SDK (1.x) server behind fromSdkServer, reached by a 2026-07-28 request: the
// adapter serves it with a per-request server, and the transport still makes the answer a
// modern one (resultType, no session).
import { test } from 'tap'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import Fastify from 'fastify'
import mcpTransport from '../../lib/index.js'
import { fromSdkServer } from '../../lib/adapters/index.js'
import { modernRequest } from './modern-helpers.js'

test('a modern tools/call reaches an SDK server through the adapter', async (t) => {
  const app = Fastify()
  await app.register(mcpTransport, {
    server: fromSdkServer(() => {
      const server = new McpServer({ name: 'sdk', version: '1.0.0' })
      server.registerTool('add', { description: 'Add', inputSchema: { a: z.number(), b: z.number() } },
        async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }))
      return server
    })
  })
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'add', arguments: { a: 2, b: 3 } })
  t.equal(res.statusCode, 200)
  const result = res.json().result
  t.equal(result.content[0].text, '5')
  t.equal(result.resultType, 'complete', 'the transport adds resultType')
  t.equal(app.mcpSessions.size, 0)
})
