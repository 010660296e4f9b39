// The practical limit: bare Fastify parsing a JSON-RPC body and answering a JSON-RPC
// result, with no MCP layer at all (no sessions, no validation, no dispatcher). It answers
// the same bodies the MCP targets get, so every workload has a floor to compare against;
// GET /mcp holds raw SSE streams and `broadcast` writes one pre-serialised event to each.
import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import Fastify, { type FastifyReply } from 'fastify'
import { announce, memoryNow, portFromEnv, stopOnSignal } from './lifecycle.js'

const BODY_LIMIT = 4 * 1024 * 1024
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive'
}

interface RpcBody {
  id?: string | number
  method?: string
  params?: { name?: string, arguments?: Record<string, unknown>, _meta?: { progressToken?: string | number } }
}

const streams = new Set<ServerResponse>()

function event (message: unknown): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`
}

function text (value: string): Record<string, unknown> {
  return { content: [{ type: 'text', text: value }] }
}

function openSse (reply: FastifyReply): ServerResponse {
  reply.hijack()
  const raw = reply.raw
  raw.writeHead(200, SSE_HEADERS)
  raw.flushHeaders()
  return raw
}

const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT })

app.post('/mcp', function barePost (request, reply) {
  const body = request.body as RpcBody
  const id = body.id
  if (id === undefined) return reply.code(202).send()
  if (body.method === 'initialize') {
    reply.header('mcp-session-id', randomUUID())
    return {
      jsonrpc: '2.0',
      id,
      result: { protocolVersion: '2025-11-25', capabilities: { logging: {}, tools: { listChanged: true } }, serverInfo: { name: 'bare', version: '0.0.0' } }
    }
  }
  const args = body.params?.arguments ?? {}
  switch (body.params?.name) {
    case 'echo':
      return { jsonrpc: '2.0', id, result: text(String(args.text)) }
    case 'length':
      return { jsonrpc: '2.0', id, result: text(String(String(args.text).length)) }
    case 'broadcast': {
      const chunk = event({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: args.tag } })
      let sent = 0
      for (const raw of streams) {
        raw.write(chunk)
        sent++
      }
      return { jsonrpc: '2.0', id, result: text(JSON.stringify({ sent })) }
    }
    case 'bench_stats': {
      const memory = memoryNow(args.gc === true)
      return { jsonrpc: '2.0', id, result: text(JSON.stringify({ sessions: 0, streams: streams.size, heapUsed: memory.heapUsed, rss: memory.rss, gc: memory.gc })) }
    }
    case 'notify': {
      const raw = openSse(reply)
      raw.write(event({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: args.tag } }))
      raw.end(event({ jsonrpc: '2.0', id, result: text('ok') }))
      return reply
    }
    case 'progress': {
      const steps = typeof args.steps === 'number' ? args.steps : 10
      const progressToken = body.params?._meta?.progressToken
      const raw = openSse(reply)
      for (let i = 1; i <= steps; i++) {
        raw.write(event({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken, progress: i, total: steps } }))
      }
      raw.end(event({ jsonrpc: '2.0', id, result: text('done') }))
      return reply
    }
    default:
      return { jsonrpc: '2.0', id, error: { code: -32602, message: 'Unknown tool' } }
  }
})

app.get('/mcp', function bareGet (_request, reply) {
  const raw = openSse(reply)
  streams.add(raw)
  raw.once('close', () => streams.delete(raw))
  return reply
})

app.delete('/mcp', function bareDelete (_request, reply) {
  reply.code(200).send()
})

await app.listen({ host: '127.0.0.1', port: portFromEnv() })
const address = app.server.address()
announce(typeof address === 'object' && address !== null ? address.port : 0)
stopOnSignal(() => {
  for (const raw of streams) raw.destroy()
  return app.close()
})
