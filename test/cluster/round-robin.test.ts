// The round-robin front on its own, over two plain node:http servers: what the cluster tests
// rely on it for (strict alternation per request, unbuffered streaming both ways, aborts
// carried across, headers untouched).
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test, type Test } from 'tap'
import { startRoundRobin, type RoundRobinFront } from './support/round-robin.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

interface Upstream {
  url: string
  server: http.Server
  /** Every request this upstream received. */
  seen: IncomingMessage[]
}

async function upstream (name: string, handler?: Handler): Promise<Upstream> {
  const seen: IncomingMessage[] = []
  const server = http.createServer((req, res) => {
    seen.push(req)
    if (handler !== undefined) return handler(req, res)
    req.resume()
    req.on('end', () => res.end(name))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, seen }
}

function closeServer (server: http.Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

/** Two upstreams and a front over them, all closed in teardown. */
async function setup (t: Test, a?: Handler, b?: Handler): Promise<{ front: RoundRobinFront, upstreams: Upstream[] }> {
  const upstreams = [await upstream('A', a), await upstream('B', b)]
  const front = await startRoundRobin(upstreams.map((u) => u.url))
  t.teardown(async () => {
    await front.close()
    for (const u of upstreams) await closeServer(u.server)
  })
  return { front, upstreams }
}

function get (url: string, agent?: http.Agent, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number, headers: http.IncomingHttpHeaders, body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    }).on('error', reject)
  })
}

/** Resolves once `predicate` holds, polling each turn; fails after 2 s. */
async function until (predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 2000
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached in 2 s`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

test('each request goes to the next upstream, also on one keep-alive connection', async (t) => {
  const { front } = await setup(t)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const answers: string[] = []
  for (let i = 0; i < 6; i++) answers.push((await get(`${front.url}/x`, agent)).body)
  t.same(answers, ['A', 'B', 'A', 'B', 'A', 'B'])
  t.same(front.counts, [3, 3])
})

test('an SSE answer flows through event by event, and the request body streams too', async (t) => {
  let release!: () => void
  const released = new Promise<void>((resolve) => { release = resolve })
  let firstChunk = ''
  const { front } = await setup(t, (req, res) => {
    req.setEncoding('utf8')
    req.once('data', (chunk: string) => {
      firstChunk = chunk
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: one\n\n')
      void released.then(() => res.end('data: two\n\n'))
    })
    req.resume()
  })
  const received: string[] = []
  const done = new Promise<void>((resolve, reject) => {
    const req = http.request(`${front.url}/sse`, { method: 'POST', headers: { 'content-type': 'text/plain' } }, (res) => {
      t.equal(res.headers['content-type'], 'text/event-stream')
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => received.push(chunk))
      res.on('end', resolve)
    })
    req.on('error', reject)
    // Only the first part of the body: the upstream must see it before the body ends.
    req.write('part one')
    void until(() => received.length > 0, 'first event').then(() => {
      t.equal(firstChunk, 'part one', 'the upstream read the body before it was complete')
      t.same(received, ['data: one\n\n'], 'the first event arrived before the second was written')
      release()
      req.end('part two')
    }, reject)
  })
  await done
  t.same(received.join(''), 'data: one\n\ndata: two\n\n')
})

test('a client that disconnects aborts the upstream request', async (t) => {
  let upstreamClosed = false
  const { front } = await setup(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(': open\n\n')
    res.once('close', () => { upstreamClosed = true })
  })
  await new Promise<void>((resolve) => {
    const req = http.get(`${front.url}/stream`, (res) => {
      res.once('data', () => {
        req.destroy()
        resolve()
      })
    })
    req.on('error', () => {})
  })
  await until(() => upstreamClosed, 'upstream response closed')
  t.ok(upstreamClosed, 'the upstream saw the disconnect')
  await until(() => front.open === 0, 'no upstream request left open')
  t.equal(front.open, 0)
})

test('an upstream that dies mid-answer cuts the client response', async (t) => {
  const { front } = await setup(t, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write('data: partial\n\n')
    setTimeout(() => req.socket.destroy(), 20)
  })
  const outcome = await new Promise<{ complete: boolean, body: string }>((resolve) => {
    http.get(`${front.url}/stream`, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('error', () => {})
      res.once('close', () => resolve({ complete: res.complete, body }))
    }).on('error', () => {})
  })
  t.equal(outcome.body, 'data: partial\n\n', 'what was sent before arrived')
  t.notOk(outcome.complete, 'the client sees a cut response, not a clean end')
})

test('headers pass through unchanged (Host included), hop-by-hop ones do not', async (t) => {
  const { front, upstreams } = await setup(t, (_req, res) => {
    res.setHeader('set-cookie', ['a=1', 'b=2'])
    res.setHeader('mcp-session-id', 'abc')
    res.end('ok')
  })
  const answer = await get(`${front.url}/h`, undefined, { 'mcp-session-id': 'xyz', 'last-event-id': '7_1', 'keep-alive': 'timeout=5' })
  const seen = upstreams[0].seen[0].headers
  t.equal(seen.host, new URL(front.url).host, 'Host is the one the client sent to the front')
  t.equal(seen['mcp-session-id'], 'xyz')
  t.equal(seen['last-event-id'], '7_1')
  t.equal(seen['keep-alive'], undefined, 'hop-by-hop headers stop at the front')
  t.same(answer.headers['set-cookie'], ['a=1', 'b=2'])
  t.equal(answer.headers['mcp-session-id'], 'abc')
})

test('an upstream that is down answers 502, and the next request goes on to the other', async (t) => {
  const { front, upstreams } = await setup(t)
  await closeServer(upstreams[0].server)
  const first = await get(`${front.url}/x`)
  t.equal(first.status, 502)
  t.equal((await get(`${front.url}/x`)).body, 'B')
})

test('close() cuts open streams on both sides', async (t) => {
  let upstreamClosed = false
  const upstreams = [await upstream('A', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write(': open\n\n')
    res.once('close', () => { upstreamClosed = true })
  })]
  t.teardown(() => closeServer(upstreams[0].server))
  const front = await startRoundRobin(upstreams.map((u) => u.url))
  let opened = false
  const clientClosed = new Promise<void>((resolve) => {
    http.get(`${front.url}/stream`, (res) => {
      res.on('error', () => {})
      res.once('data', () => { opened = true })
      res.resume()
      res.once('close', resolve)
    }).on('error', () => resolve())
  })
  // The first bytes through, not just the upstream request created: closing before the
  // upstream has even seen the request would leave it nothing to close.
  await until(() => opened, 'stream open')
  t.equal(front.open, 1)
  await front.close()
  await clientClosed
  await until(() => upstreamClosed, 'upstream closed')
  t.equal(front.open, 0)
})
