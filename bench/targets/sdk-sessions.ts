// The official SDK's server, set up the way its examples do (simpleStreamableHttp.ts): one
// McpServer and one StreamableHTTPServerTransport per session, kept in a map by session id.
// Both SDK targets (node:http and inside Fastify) share this; only the HTTP glue differs.
import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import * as z from 'zod'
import { memoryNow } from './lifecycle.js'

function text (value: string) {
  return { content: [{ type: 'text' as const, text: value }] }
}

export class SdkSessions {
  readonly transports = new Map<string, StreamableHTTPServerTransport>()
  private readonly servers = new Map<string, McpServer>()
  private openStreams = 0

  /** A transport for a request without a session id; it is kept once initialize succeeds. */
  async create (): Promise<StreamableHTTPServerTransport> {
    const server = this.server()
    const transport = new StreamableHTTPServerTransport({
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
    const server = new McpServer({ name: 'sdk-bench', version: '0.0.0' }, { capabilities: { logging: {} } })

    server.registerTool('echo', { description: 'Returns its text', inputSchema: { text: z.string() } },
      async ({ text: value }) => text(value))

    server.registerTool('notify', { description: 'A log notification with the tag on this request\'s stream', inputSchema: { tag: z.string() } },
      async ({ tag }, extra) => {
        await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: tag } })
        return text('ok')
      })

    server.registerTool('broadcast', { description: 'A log notification with the tag to every session\'s GET stream', inputSchema: { tag: z.string() } },
      async ({ tag }) => {
        const sends = [...this.servers.values()].map((s) => s.server.notification({ method: 'notifications/message', params: { level: 'info', data: tag } }))
        const settled = await Promise.allSettled(sends)
        return text(JSON.stringify({ sent: settled.filter((s) => s.status === 'fulfilled').length }))
      })

    server.registerTool('bench_stats', { description: 'Sessions, streams, heapUsed, rss', inputSchema: { gc: z.boolean().optional() } },
      async ({ gc }) => {
        const memory = memoryNow(gc === true)
        return text(JSON.stringify({ sessions: this.transports.size, streams: this.openStreams, heapUsed: memory.heapUsed, rss: memory.rss, gc: memory.gc }))
      })

    server.registerTool('progress', { description: 'Reports progress `steps` times, then answers', inputSchema: { steps: z.number().int().min(1).max(1000).optional() } },
      async ({ steps = 10 }, extra) => {
        const progressToken = extra._meta?.progressToken
        if (progressToken !== undefined) {
          for (let i = 1; i <= steps; i++) {
            await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: i, total: steps } })
          }
        }
        return text('done')
      })

    server.registerTool('length', { description: 'Answers the length of its text', inputSchema: { text: z.string() } },
      async ({ text: value }) => text(String(value.length)))

    return server
  }
}
