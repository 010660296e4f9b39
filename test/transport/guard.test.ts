import { test } from 'tap'
import { buildApp, initializeBody, post } from '../helpers.js'

test('no Origin passes (non-browser clients)', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  t.equal((await post(app, initializeBody())).statusCode, 200)
})

test('a foreign Origin gets 403 with an id-less JSON-RPC error', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await post(app, initializeBody(), { origin: 'http://evil.example.com' })
  t.equal(res.statusCode, 403)
  t.equal(res.json().error.code, -32000)
  t.match(res.json().error.message, /Origin http:\/\/evil\.example\.com is not allowed/)
  t.equal(res.json().id, undefined)
  t.equal(app.mcpSessions.size, 0, 'nothing was created')
})

test('loopback origins pass by default, on any port', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  for (const origin of ['http://localhost:5173', 'http://127.0.0.1', 'https://[::1]:8443']) {
    t.equal((await post(app, initializeBody(), { origin })).statusCode, 200, origin)
  }
})

test('an opaque or malformed Origin is refused', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  t.equal((await post(app, initializeBody(), { origin: 'null' })).statusCode, 403)
  t.equal((await post(app, initializeBody(), { origin: '::' })).statusCode, 403)
})

test('the same origin as the Host passes when Host checks are off', async (t) => {
  const app = await buildApp({ allowedHosts: false })
  t.teardown(() => app.close())
  const ok = await post(app, initializeBody(), { host: 'mcp.example.com', origin: 'https://mcp.example.com' })
  t.equal(ok.statusCode, 200)
  const other = await post(app, initializeBody(), { host: 'mcp.example.com', origin: 'https://app.example.com' })
  t.equal(other.statusCode, 403)
})

test('allowedOrigins lists exact origins; a trailing slash or case does not matter', async (t) => {
  const app = await buildApp({ allowedOrigins: ['https://App.example.com/'] })
  t.teardown(() => app.close())
  t.equal((await post(app, initializeBody(), { origin: 'https://app.example.com' })).statusCode, 200)
  t.equal((await post(app, initializeBody(), { origin: 'http://localhost:3000' })).statusCode, 403, 'the list replaces the default')
})

test("allowedOrigins ['*'] allows any origin", async (t) => {
  const app = await buildApp({ allowedOrigins: ['*'] })
  t.teardown(() => app.close())
  t.equal((await post(app, initializeBody(), { origin: 'https://anything.example' })).statusCode, 200)
})

test('DNS rebinding: on a loopback bind a foreign Host gets 403', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await post(app, initializeBody(), { host: 'evil.example.com', origin: 'http://evil.example.com' })
  t.equal(res.statusCode, 403)
  t.match(res.json().error.message, /Host evil\.example\.com is not allowed/)
  const hostOnly = await post(app, initializeBody(), { host: 'evil.example.com:3000' })
  t.equal(hostOnly.statusCode, 403, 'Host alone is checked too')
  for (const host of ['localhost:3000', '127.0.0.1:9', '[::1]:3000', 'LOCALHOST', '[::1]']) {
    t.equal((await post(app, initializeBody(), { host })).statusCode, 200, host)
  }
})

test('a malformed IPv6 Host is refused', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  t.equal((await post(app, initializeBody(), { host: '[::1' })).statusCode, 403)
})

test('allowedHosts lists hostnames or host:port', async (t) => {
  const app = await buildApp({ allowedHosts: ['mcp.example.com', 'proxy.internal:8080'] })
  t.teardown(() => app.close())
  t.equal((await post(app, initializeBody(), { host: 'mcp.example.com:443' })).statusCode, 200)
  t.equal((await post(app, initializeBody(), { host: 'proxy.internal:8080' })).statusCode, 200)
  t.equal((await post(app, initializeBody(), { host: 'proxy.internal:9090' })).statusCode, 403)
  t.equal((await post(app, initializeBody(), { host: 'localhost' })).statusCode, 403)
})

test('Host is not checked by default on a non-loopback bind', async (t) => {
  const Fastify = (await import('fastify')).default
  const mcp = (await import('../../lib/index.js')).default
  const { testServer } = await import('../helpers.js')
  const app = Fastify()
  // Stands in for a server bound to a public interface: the connection's local address is
  // what the default Host check keys on (only loopback binds are open to DNS rebinding).
  app.addHook('onRequest', async (request) => {
    Object.defineProperty(request.raw.socket, 'localAddress', { value: '192.0.2.10' })
  })
  await app.register(mcp, { server: testServer() })
  t.teardown(() => app.close())
  const res = await post(app, initializeBody(), { host: 'mcp.example.com' })
  t.equal(res.statusCode, 200)
})

test('hostnameOf strips the port and lowercases', async (t) => {
  const { hostnameOf } = await import('../../lib/guard/origin-guard.js')
  t.equal(hostnameOf('Example.COM:80'), 'example.com')
  t.equal(hostnameOf('[::1]:80'), '[::1]')
  t.equal(hostnameOf('plain'), 'plain')
})

test('the default Host check keys on the local address of the connection', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as import('node:net').AddressInfo).port
  const { request } = await import('node:http')
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host: 'evil.example.com', 'content-type': 'application/json' } }, (res) => { res.resume(); resolve(res.statusCode!) })
    req.on('error', reject)
    req.end(JSON.stringify(initializeBody()))
  })
  t.equal(status, 403)
})

test('health routes are outside the guard', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const res = await app.inject({ method: 'GET', url: '/health', headers: { host: 'evil.example.com', origin: 'http://evil.example.com' } })
  t.equal(res.statusCode, 200)
})

test('Host answers are remembered per value, and the memory stays bounded', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  for (let i = 0; i < 70; i++) t.equal((await post(app, initializeBody(), { host: `localhost:${3000 + i}` })).statusCode, 200)
  t.equal((await post(app, initializeBody(), { host: 'evil.example.com' })).statusCode, 403)
  t.equal((await post(app, initializeBody(), { host: 'evil.example.com' })).statusCode, 403, 'the remembered answer is the same')
})
