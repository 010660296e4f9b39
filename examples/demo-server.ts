import { Type } from '@sinclair/typebox'
import { createMcpServer } from '../lib/index.js'

/** The demo server `npm start` serves: a few tools to try with any MCP client. */
export function createDemoServer () {
  const server = createMcpServer({ name: 'fastify-mcp-transport-demo', version: '0.1.0' })

  server.tool('echo', {
    description: 'Echo the given text back',
    input: Type.Object({ text: Type.String() })
  }, ({ text }: { text: string }) => ({ content: [{ type: 'text', text }] }))

  server.tool('add', {
    description: 'Add two numbers',
    input: Type.Object({ a: Type.Number(), b: Type.Number() })
  }, ({ a, b }: { a: number, b: number }) => ({ content: [{ type: 'text', text: String(a + b) }] }))

  server.tool('countdown', {
    description: 'Count down from n, reporting progress each step (pass a progressToken to see it)',
    input: Type.Object({
      n: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
      delayMs: Type.Integer({ minimum: 0, maximum: 5000, default: 200 })
    })
  }, async ({ n, delayMs }: { n: number, delayMs: number }, ctx) => {
    for (let i = 1; i <= n; i++) {
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      if (ctx.signal.aborted) break
      ctx.progress(i, n, `${n - i} to go`)
    }
    return { content: [{ type: 'text', text: 'Liftoff!' }] }
  })

  return server
}
