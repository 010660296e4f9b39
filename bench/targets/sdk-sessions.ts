// The official SDK 1.x server, set up the way its examples do (simpleStreamableHttp.ts): one
// McpServer and one StreamableHTTPServerTransport per session, kept by SdkSessionMap. Both
// SDK 1.x targets (node:http and inside Fastify) share this; only the HTTP glue differs. The
// tools stay here because 1.x hands them `extra` (extra.sendNotification, extra._meta) and
// takes raw zod shapes as input schemas, unlike 2.x (sdk2-sessions.ts).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import * as z from 'zod'
import { SdkSessionMap, type AcrossSessions } from './sdk-session-map.js'

function text (value: string) {
  return { content: [{ type: 'text' as const, text: value }] }
}

export function createSdkSessions (): SdkSessionMap<StreamableHTTPServerTransport, McpServer> {
  return new SdkSessionMap(benchServer, (options) => new StreamableHTTPServerTransport(options))
}

function benchServer (across: AcrossSessions): McpServer {
  const server = new McpServer({ name: 'sdk-bench', version: '0.0.0' }, { capabilities: { logging: {} } })

  server.registerTool('echo', { description: 'Returns its text', inputSchema: { text: z.string() } },
    async ({ text: value }) => text(value))

  server.registerTool('notify', { description: 'A log notification with the tag on this request\'s stream', inputSchema: { tag: z.string() } },
    async ({ tag }, extra) => {
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: tag } })
      return text('ok')
    })

  server.registerTool('broadcast', { description: 'A log notification with the tag to every session\'s GET stream', inputSchema: { tag: z.string() } },
    async ({ tag }) => text(JSON.stringify({ sent: await across.broadcastLog(tag) })))

  server.registerTool('bench_stats', { description: 'Sessions, streams, heapUsed, rss', inputSchema: { gc: z.boolean().optional() } },
    async ({ gc }) => text(across.statsJson(gc === true)))

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
