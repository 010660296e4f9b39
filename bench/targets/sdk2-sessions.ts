// The official SDK 2.x server set up the way its serving guide does for sessions (the 2025-era
// "sessionful" wiring): one McpServer and one NodeStreamableHTTPServerTransport per session,
// kept by SdkSessionMap, as for 1.x in sdk-sessions.ts. The tools stay per SDK because 2.x
// changed the handler context (ctx.mcpReq.notify and ctx.mcpReq._meta instead of
// extra.sendNotification and extra._meta) and wants z.object() input schemas.
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node'
import { McpServer } from '@modelcontextprotocol/server'
import * as z from 'zod'
import { SdkSessionMap, type AcrossSessions } from './sdk-session-map.js'

function text (value: string) {
  return { content: [{ type: 'text' as const, text: value }] }
}

export function createSdk2Sessions (): SdkSessionMap<NodeStreamableHTTPServerTransport, McpServer> {
  return new SdkSessionMap(benchServer, (options) => new NodeStreamableHTTPServerTransport(options))
}

function benchServer (across: AcrossSessions): McpServer {
  const server = new McpServer({ name: 'sdk2-bench', version: '0.0.0' }, { capabilities: { logging: {} } })

  server.registerTool('echo', { description: 'Returns its text', inputSchema: z.object({ text: z.string() }) },
    async ({ text: value }) => text(value))

  server.registerTool('notify', { description: 'A log notification with the tag on this request\'s stream', inputSchema: z.object({ tag: z.string() }) },
    async ({ tag }, ctx) => {
      await ctx.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', data: tag } })
      return text('ok')
    })

  server.registerTool('broadcast', { description: 'A log notification with the tag to every session\'s GET stream', inputSchema: z.object({ tag: z.string() }) },
    async ({ tag }) => text(JSON.stringify({ sent: await across.broadcastLog(tag) })))

  server.registerTool('bench_stats', { description: 'Sessions, streams, heapUsed, rss', inputSchema: z.object({ gc: z.boolean().optional() }) },
    async ({ gc }) => text(across.statsJson(gc === true)))

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
