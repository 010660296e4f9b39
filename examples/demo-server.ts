import { Type } from '@sinclair/typebox'
import { createMcpServer } from '../lib/index.js'

/** The demo server `npm start` serves: a few tools, a resource and a prompt to try with any MCP client. */
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

  server.resource('readme', 'demo://readme', {
    title: 'About this server',
    description: 'What the demo server offers',
    mimeType: 'text/plain'
  }, () => 'fastify-mcp-transport demo: tools echo, add and countdown; this resource; the prompt "greeting".')

  server.prompt('greeting', {
    description: 'Greet someone in the style you choose',
    arguments: [
      { name: 'name', description: 'Who to greet', required: true },
      {
        name: 'style',
        description: 'formal, casual or pirate (default casual)',
        complete: (value) => ['formal', 'casual', 'pirate'].filter((style) => style.startsWith(value))
      }
    ]
  }, ({ name, style = 'casual' }) => `Write a ${style} greeting for ${name}.`)

  return server
}
