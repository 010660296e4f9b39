// The official SDK 2.x server set up the way its serving guide does for sessions (the 2025-era
// "sessionful" wiring): one McpServer and one NodeStreamableHTTPServerTransport per session,
// kept in a map by session id. The counterpart of sdk-sessions.ts (1.x): the session
// bookkeeping has the same shape, but every tool differs, because 2.x changed the handler
// context (ctx.mcpReq.notify and ctx.mcpReq._meta instead of extra.sendNotification and
// extra._meta) and wants z.object() input schemas; a helper generic over both SDKs' unrelated
// class hierarchies would cost more than the few bookkeeping lines it would save.
import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node'
import { McpServer } from '@modelcontextprotocol/server'
import * as z from 'zod'
import { memoryNow } from './lifecycle.js'

function text (value: string) {
  return { content: [{ type: 'text' as const, text: value }] }
}

export class Sdk2Sessions {
  readonly transports = new Map<string, NodeStreamableHTTPServerTransport>()
  private readonly servers = new Map<string, McpServer>()
  private openStreams = 0

  /** A transport for a request without a session id; it is kept once initialize succeeds. */
  async create (): Promise<NodeStreamableHTTPServerTransport> {
    const server = this.server()
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.transports.set(id, transport)
        this.servers.set(id, server)
      }
    })
    transport.onclose = () => {
      const id = transport.sessionId
      if (id !== undefined) {
        this.transports.delete(id)
        this.servers.delete(id)
      }
    }
    await server.connect(transport)
    return transport
  }

  /** Counts a held GET stream until its response closes. */
  trackStream (res: ServerResponse): void {
    this.openStreams++
    res.once('close', () => { this.openStreams-- })
  }

  async closeAll (): Promise<void> {
    await Promise.allSettled([...this.transports.values()].map((t) => t.close()))
  }

  private server (): McpServer {
    const server = new McpServer({ name: 'sdk2-bench', version: '0.0.0' }, { capabilities: { logging: {} } })

    server.registerTool('echo', { description: 'Returns its text', inputSchema: z.object({ text: z.string() }) },
      async ({ text: value }) => text(value))

    server.registerTool('notify', { description: 'A log notification with the tag on this request\'s stream', inputSchema: z.object({ tag: z.string() }) },
      async ({ tag }, ctx) => {
        await ctx.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', data: tag } })
        return text('ok')
      })

    server.registerTool('broadcast', { description: 'A log notification with the tag to every session\'s GET stream', inputSchema: z.object({ tag: z.string() }) },
      async ({ tag }) => {
        const sends = [...this.servers.values()].map((s) => s.server.notification({ method: 'notifications/message', params: { level: 'info', data: tag } }))
        const settled = await Promise.allSettled(sends)
        return text(JSON.stringify({ sent: settled.filter((s) => s.status === 'fulfilled').length }))
      })

    server.registerTool('bench_stats', { description: 'Sessions, streams, heapUsed, rss', inputSchema: z.object({ gc: z.boolean().optional() }) },
      async ({ gc }) => {
        const memory = memoryNow(gc === true)
        return text(JSON.stringify({ sessions: this.transports.size, streams: this.openStreams, heapUsed: memory.heapUsed, rss: memory.rss, gc: memory.gc }))
      })

    server.registerTool('progress', { description: 'Reports progress `steps` times, then answers', inputSchema: z.object({ steps: z.number().int().min(1).max(1000).optional() }) },
      async ({ steps = 10 }, ctx) => {
        const progressToken = ctx.mcpReq._meta?.progressToken
        if (progressToken !== undefined) {
          for (let i = 1; i <= steps; i++) {
            await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: i, total: steps } })
          }
        }
        return text('done')
      })

    server.registerTool('length', { description: 'Answers the length of its text', inputSchema: z.object({ text: z.string() }) },
      async ({ text: value }) => text(String(value.length)))

    return server
  }
}
