import Fastify from 'fastify'
import { request, Agent } from 'node:http'
import mcpTransport, { createMcpServer } from './dist/lib/index.js'
const app = Fastify()
await app.register(mcpTransport, { server: createMcpServer({ name: 'x', version: '1' }), bodyLimit: 16384 })
await app.listen({ port: 0, host: '127.0.0.1' })
const base = `http://127.0.0.1:${app.server.address().port}`
const agent = new Agent({ keepAlive: true, maxSockets: 1 })
async function go (method, path, headers = {}, body) {
  return new Promise((resolve) => {
    const req = request(base + path, { method, headers, agent })
    req.on('error', (e) => { console.log(method, path, 'ERR', e.code); resolve() })
    req.on('response', (res) => { let t = ''; res.on('data', (d) => t += d); res.on('end', () => { console.log(method, path, res.statusCode, res.headers['content-length'], JSON.stringify(t.slice(0, 100))); resolve() }) })
    req.end(body)
  })
}
for (const m of ['HEAD', 'QUERY']) {
  for (const p of ['/messages?sessionId=x', '/mcp', '/sse', '/mcp/sessions/abc', '/mcp/sse/abc']) {
    await go(m, p, { 'content-type': 'application/json' })
    await go('GET', '/health')
  }
}
await go('QUERY', '/mcp', { 'content-type': 'application/json' }, '{}')
await go('GET', '/health')
await app.close(); agent.destroy()
