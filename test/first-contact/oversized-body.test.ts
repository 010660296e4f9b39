// Issue 13 #2: an oversized POST usually ended in EPIPE/ECONNRESET instead of the 413
// (163 of 200 raw node:http tries): the server closed the socket while the client was still
// sending. Over a real socket: every oversized POST reads its JSON-RPC 413, with and without
// Expect: 100-continue, 0 resets; a client that never stops sending is cut after the bound.
import { Agent, request, type IncomingHttpHeaders } from 'node:http'
import { connect, type Socket } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { test } from 'tap'
import mcpTransport from '../../lib/index.js'
import { DEFAULT_LINGER_BYTES, DEFAULT_LINGER_TIMEOUT } from '../../lib/options.js'
import { ACCEPT_BOTH, initializeBody, testServer } from '../helpers.js'
import { listenOnLoopback } from '../interop/support/listening-app.js'

const LIMIT = 64 * 1024
// Well past the loopback socket buffers, so a close before reading it all would reset.
const OVERSIZED = Buffer.alloc(4 * 1024 * 1024, 'x')
const HEADERS = { 'content-type': 'application/json', accept: ACCEPT_BOTH }

interface Outcome { status: number, headers: IncomingHttpHeaders, text: string }

async function listening (t: Tap.Test, options: Record<string, unknown> = {}): Promise<{ app: FastifyInstance, url: URL, connections: () => number }> {
  const app = Fastify()
  await app.register(mcpTransport, { server: testServer(), bodyLimit: LIMIT, ...options })
  let connections = 0
  app.server.on('connection', () => { connections++ })
  const url = await listenOnLoopback(app)
  t.teardown(() => app.close())
  return { app, url, connections: () => connections }
}

/**
 * One POST whose body is written in full. Resolves when the request is over (its 'close'),
 * so a reset after the answer counts too; rejects if the client saw any connection error.
 */
function postBody (url: URL, agent: Agent | false, body: Buffer, headers: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const framing = headers['transfer-encoding'] === 'chunked' ? {} : { 'content-length': String(body.length) }
    const req = request(url, { method: 'POST', agent, headers: { ...HEADERS, ...framing, ...headers } })
    let outcome: Outcome | undefined
    let failure: Error | undefined
    req.on('error', (err) => { failure ??= err })
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('error', (err) => { failure ??= err })
      res.on('end', () => { outcome = { status: res.statusCode as number, headers: res.headers, text } })
    })
    req.on('close', () => {
      if (failure !== undefined || outcome === undefined) reject(failure ?? new Error('closed before the answer ended'))
      else resolve(outcome)
    })
    if (headers.expect === undefined) {
      req.end(body)
      return
    }
    // A client honouring Expect sends the body only after 100 Continue.
    req.on('continue', () => req.end(body))
  })
}

function assert413 (t: Tap.Test, outcome: Outcome): boolean {
  let body: { jsonrpc?: string, error?: { code?: number, message?: string } } = {}
  try { body = JSON.parse(outcome.text) } catch {}
  return outcome.status === 413 && body.jsonrpc === '2.0' && body.error?.code === -32600 &&
    body.error?.message === `Request body is larger than ${LIMIT} bytes; send a smaller message or raise the bodyLimit option`
}

test('the lingering defaults are the documented ones', async (t) => {
  t.equal(DEFAULT_LINGER_BYTES, 16 * 1024 * 1024)
  t.equal(DEFAULT_LINGER_TIMEOUT, 5000)
})

test('200 oversized POSTs in a row each read a JSON-RPC 413, 0 resets, on one kept connection', async (t) => {
  const { url, connections } = await listening(t)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  let readable = 0
  let resets = 0
  for (let i = 0; i < 200; i++) {
    try {
      if (assert413(t, await postBody(url, agent, OVERSIZED))) readable++
    } catch {
      resets++
    }
  }
  t.equal(resets, 0, 'no EPIPE or ECONNRESET')
  t.equal(readable, 200, 'every answer is the JSON-RPC 413')
  t.equal(connections(), 1, 'the rest of each body was read: the connection stayed usable')
  const ok = await postBody(url, agent, Buffer.from(JSON.stringify(initializeBody())))
  t.equal(ok.status, 200, 'and the next valid request on it is served')
})

test('200 oversized POSTs from clients that ask to close (Connection: close): 413 each, 0 resets', async (t) => {
  const { url, connections } = await listening(t)
  let readable = 0
  let resets = 0
  let closing = 0
  for (let i = 0; i < 200; i++) {
    try {
      const outcome = await postBody(url, false, OVERSIZED)
      if (assert413(t, outcome)) readable++
      if (outcome.headers.connection === 'keep-alive') closing++
    } catch {
      resets++
    }
  }
  t.equal(resets, 0, 'no EPIPE or ECONNRESET')
  t.equal(readable, 200, 'every answer is the JSON-RPC 413')
  t.equal(connections(), 200)
  t.equal(closing, 200, 'each answered keep-alive, so Node left the socket to the lingering close')
})

/** Writes a raw HTTP request on a new socket; resolves with all it read once the server closes it, or after `ms`. */
function rawExchange (url: URL, head: string, body: Buffer, ms: number): Promise<{ text: string, closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname)
    let text = ''
    const timer = setTimeout(() => {
      socket.destroy()
      resolve({ text, closedByServer: false })
    }, ms)
    socket.on('data', (chunk) => { text += String(chunk) })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve({ text, closedByServer: true })
    })
    socket.write(head)
    socket.write(body)
  })
}

test('HTTP/1.0 (close by default): the 413 is read, the body drained, then the server closes', async (t) => {
  const { url } = await listening(t)
  const body = Buffer.alloc(1024 * 1024, 'x')
  const exchange = await rawExchange(url, `POST /mcp HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body, 5000)
  t.match(exchange.text, /^HTTP\/1\.1 413 /)
  t.match(exchange.text, /"code":-32600/)
  t.ok(exchange.closedByServer, 'ended by the server once the body was in')
})

test('HTTP/1.1 without a Connection header (keep-alive by default): drained and kept', async (t) => {
  const { url } = await listening(t)
  const body = Buffer.alloc(1024 * 1024, 'x')
  const next = `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: ${ACCEPT_BOTH}\r\nContent-Length: ${JSON.stringify(initializeBody()).length}\r\n\r\n${JSON.stringify(initializeBody())}`
  const exchange = await rawExchange(url, `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, Buffer.concat([body, Buffer.from(next)]), 1500)
  t.match(exchange.text, /^HTTP\/1\.1 413 /)
  t.match(exchange.text, /HTTP\/1\.1 200 OK[\s\S]*"serverInfo"/, 'the next request on the connection was served')
  t.notOk(exchange.closedByServer, 'the connection stayed open')
})

test('a small oversized body, all in before it is refused: drained at once, the connection is kept', async (t) => {
  const { url, connections } = await listening(t, { bodyLimit: 64 })
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  // Chunked, so the limit is found while reading: by the first chunk the parser has the whole body.
  for (let i = 0; i < 5; i++) {
    const outcome = await postBody(url, agent, Buffer.alloc(200, ' '), { 'transfer-encoding': 'chunked' })
    t.equal(outcome.status, 413)
  }
  t.equal(connections(), 1)
})

test('a chunked body (no Content-Length) over the limit: the same readable 413', async (t) => {
  const { url } = await listening(t)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  let readable = 0
  for (let i = 0; i < 20; i++) {
    const outcome = await new Promise<Outcome>((resolve, reject) => {
      const req = request(url, { method: 'POST', agent, headers: HEADERS })
      req.on('error', reject)
      req.on('response', (res) => {
        let text = ''
        res.on('data', (chunk) => { text += String(chunk) })
        res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers, text }))
      })
      for (let offset = 0; offset < OVERSIZED.length; offset += 65536) req.write(OVERSIZED.subarray(offset, offset + 65536))
      req.end()
    })
    if (assert413(t, outcome)) readable++
  }
  t.equal(readable, 20)
})

test('200 oversized POSTs with Expect: 100-continue are refused before the body is sent', async (t) => {
  const { url } = await listening(t)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  let readable = 0
  let resets = 0
  let closing = 0
  for (let i = 0; i < 200; i++) {
    try {
      const outcome = await postBody(url, agent, OVERSIZED, { expect: '100-continue' })
      if (assert413(t, outcome)) readable++
      if (outcome.headers.connection === 'close') closing++
    } catch {
      resets++
    }
  }
  t.equal(resets, 0)
  t.equal(readable, 200)
  t.equal(closing, 200, 'Connection: close: the body Node would wait for never comes')
})

test('Expect: 100-continue within the limit is continued and served', async (t) => {
  const { url } = await listening(t)
  const agent = new Agent({ keepAlive: true })
  t.teardown(() => agent.destroy())
  const outcome = await postBody(url, agent, Buffer.from(JSON.stringify(initializeBody())), { expect: '100-continue' })
  t.equal(outcome.status, 200)
  t.match(JSON.parse(outcome.text), { result: { serverInfo: { name: 'test-server' } } })
  const other = await postBody(new URL('/elsewhere', url), agent, Buffer.alloc(LIMIT + 10, ' '), { expect: '100-continue' })
  // Continued as Node does: the app's 404 route read the body and its JSON parser refused it.
  t.equal(other.status, 400, 'a path that is not the plugin\'s is continued and read')
})

test('Expect: 100-continue on another method of a MCP path is continued (its route reads the body)', async (t) => {
  const { url } = await listening(t)
  const agent = new Agent({ keepAlive: false })
  const outcome = await new Promise<Outcome>((resolve, reject) => {
    const body = Buffer.alloc(LIMIT + 10, ' ')
    const req = request(url, { method: 'PUT', agent, headers: { ...HEADERS, 'content-length': String(body.length), expect: '100-continue' } })
    req.on('error', reject)
    req.on('continue', () => req.end(body))
    req.on('response', (res) => {
      let text = ''
      res.on('data', (chunk) => { text += String(chunk) })
      res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers, text }))
    })
  })
  t.equal(outcome.status, 400, 'continued, read, and refused as not JSON (was a hang: no 100, and a route waiting for the body)')
})

test('an app that listens for checkContinue itself keeps its own behaviour', async (t) => {
  const app = Fastify()
  let asked = 0
  app.server.on('checkContinue', (req, res) => {
    asked++
    res.writeContinue()
    app.server.emit('request', req, res)
  })
  await app.register(mcpTransport, { server: testServer(), bodyLimit: LIMIT })
  const url = await listenOnLoopback(app)
  t.teardown(() => app.close())
  const agent = new Agent({ keepAlive: false })
  const outcome = await postBody(url, agent, Buffer.from(JSON.stringify(initializeBody())), { expect: '100-continue' })
  t.equal(outcome.status, 200)
  t.equal(asked, 1, 'its listener ran, and the request was served once')
})

test('two registrations on one server share one checkContinue listener with their own limits', async (t) => {
  const app = Fastify()
  await app.register(async (child) => { await child.register(mcpTransport, { server: testServer(), bodyLimit: LIMIT }) })
  await app.register(async (child) => {
    await child.register(mcpTransport, { server: testServer(), bodyLimit: 2 * LIMIT, path: '/big', health: false, legacySse: false, deprecatedRoutes: false })
  })
  const url = await listenOnLoopback(app)
  t.teardown(() => app.close())
  t.equal(app.server.listenerCount('checkContinue'), 1)
  const agent = new Agent({ keepAlive: false })
  const body = Buffer.alloc(LIMIT + 10, ' ')
  const small = await postBody(url, agent, body, { expect: '100-continue' })
  t.equal(small.status, 413, 'over /mcp\'s limit: refused before the body')
  t.equal(small.headers.connection, 'close')
  const big = await postBody(new URL('/big?x=1', url), agent, body, { expect: '100-continue' })
  t.equal(big.status, 400, 'within /big\'s limit: continued, read, and parsed (whitespace is not JSON)')
})

/** A client that writes forever; resolves when its socket is closed by the server. */
function endlessUpload (url: URL): Promise<{ status: number, text: string, closedAfterAnswerMs: number }> {
  // Keep-alive: a client that asked to close would drop the socket itself once it read the answer.
  const agent = new Agent({ keepAlive: true })
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: HEADERS })
    let status = 0
    let text = ''
    let answeredAt = 0
    const chunk = Buffer.alloc(16 * 1024, 'x')
    const pump = (): void => {
      while (!req.destroyed && req.write(chunk)) { /* until the socket buffer is full */ }
    }
    req.on('drain', pump)
    req.on('response', (res) => {
      status = res.statusCode as number
      answeredAt = Date.now()
      res.on('data', (data) => { text += String(data) })
    })
    req.on('socket', (socket: Socket) => {
      socket.on('close', () => {
        agent.destroy()
        resolve({ status, text, closedAfterAnswerMs: Date.now() - answeredAt })
      })
    })
    req.on('error', () => {})
    pump()
  })
}

test('a client that never stops sending is cut after lingerTimeout', async (t) => {
  const { app, url } = await listening(t, { lingerTimeout: 300, lingerBytes: 1024 * 1024 * 1024 })
  const started = Date.now()
  const cut = await endlessUpload(url)
  t.equal(cut.status, 413, 'it read its answer first')
  t.match(cut.text, /"code":-32600/)
  t.ok(cut.closedAfterAnswerMs >= 250, `not before the bound (${cut.closedAfterAnswerMs} ms)`)
  t.ok(Date.now() - started < 3000, `cut soon after it (${Date.now() - started} ms in all)`)
  const ok = await postBody(url, new Agent(), Buffer.from(JSON.stringify(initializeBody())))
  t.equal(ok.status, 200, 'the server answers the next client')
  t.equal(app.mcpSessions.size, 1)
})

test('a client that never stops sending is cut after lingerBytes', async (t) => {
  const { url } = await listening(t, { lingerTimeout: 60_000, lingerBytes: 256 * 1024 })
  const started = Date.now()
  const cut = await endlessUpload(url)
  t.equal(cut.status, 413)
  t.ok(Date.now() - started < 5000, `cut long before lingerTimeout (${Date.now() - started} ms)`)
})

test('lingerBytes and lingerTimeout are checked at registration', async (t) => {
  for (const [name, value] of [['lingerBytes', -1], ['lingerTimeout', '5s']] as const) {
    const app = Fastify()
    await t.rejects(async () => {
      await app.register(mcpTransport, { server: testServer(), [name]: value } as never)
      await app.ready()
    }, { code: 'FST_MCP_INVALID_OPTION', message: new RegExp(`option "${name}"`) })
    await app.close()
  }
})
