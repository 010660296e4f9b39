import Fastify from 'fastify'
import { request, Agent } from 'node:http'
const app = Fastify({ bodyLimit: 4 * 1024 * 1024 })
app.post('/mcp', async () => 'ok')
await app.listen({ port: 0, host: '127.0.0.1' })
const url = new URL(`http://127.0.0.1:${app.server.address().port}/mcp`)
const body = Buffer.alloc(Number(process.argv[2]) || 4.1 * 1024 * 1024, 'x')
for (const agent of [false, new Agent({ keepAlive: true, maxSockets: 1 })]) {
  let ok = 0, err = 0
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => {
      const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } })
      req.on('error', (e) => { err++; resolve() })
      req.on('response', (res) => { res.resume(); res.on('end', () => { ok++; resolve() }); res.on('error', () => { err++; resolve() }) })
      req.end(body)
    })
  }
  console.log(agent === false ? 'agent:false' : 'keepalive', 'ok', ok, 'err', err)
}
let ok = 0, err = 0
for (let i = 0; i < 50; i++) {
  try { const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } }); await r.text(); ok++ } catch { err++ }
}
console.log('fetch ok', ok, 'err', err)
await app.close()
