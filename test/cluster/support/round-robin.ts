// A strict round-robin HTTP front: every request (not every connection) goes to the next
// upstream in turn, so a client behind it never talks to the same instance twice in a row
// and any session affinity the transport relied on would break at once (issue 11: "no
// affinity"). Bodies stream both ways unbuffered (an SSE event reaches the client when the
// instance writes it); a client that disconnects aborts its upstream request, and an
// upstream that dies mid-answer cuts the client's response.
//
// Headers pass through unchanged, Host included: the front listens on 127.0.0.1 like the
// instances, so their default Host check (loopback names on loopback binds) passes as it
// would for a direct client, and the conformance suite's DNS-rebinding case (a foreign Host
// gets 403) still reaches the instance's own check. Nothing is rewritten, nothing disabled.
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

// RFC 9110 §7.6.1: connection-specific fields a proxy must not forward.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

export interface RoundRobinFront {
  /** http://127.0.0.1:<port> */
  readonly url: string
  /** Requests sent to each upstream so far, in the order the upstreams were given. */
  readonly counts: readonly number[]
  /** Upstream requests still open (an open SSE stream counts until it ends). */
  readonly open: number
  /** Stops listening and cuts every open request, both sides. */
  close: () => Promise<void>
}

function forwardable (headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {}
  // The Connection header may name further hop-by-hop fields.
  const named = new Set(String(headers.connection ?? '').toLowerCase().split(',').map((h) => h.trim()))
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue
    out[name] = value
  }
  return out
}

export async function startRoundRobin (upstreams: readonly string[]): Promise<RoundRobinFront> {
  if (upstreams.length === 0) throw new Error('startRoundRobin needs at least one upstream URL')
  const targets = upstreams.map((u) => new URL(u))
  const counts = targets.map(() => 0)
  // Keep-alive to the instances, as a real load balancer pools its upstream connections.
  const agent = new http.Agent({ keepAlive: true })
  const inFlight = new Set<http.ClientRequest>()
  let next = 0

  const server = http.createServer((req, res) => {
    const index = next
    next = (next + 1) % targets.length
    counts[index]++
    const target = targets[index]
    const upstream = http.request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: forwardable(req.headers),
      agent
    })
    inFlight.add(upstream)
    upstream.once('close', () => inFlight.delete(upstream))
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardable(answer.headers))
      // Send the head now: an SSE answer may not write its first event for a while.
      res.flushHeaders()
      answer.pipe(res)
      // The instance died or cut the stream mid-answer: cut the client's response too, so the
      // client sees what it would see talking to the instance directly.
      answer.once('close', () => {
        if (!answer.complete) res.destroy()
      })
    })
    upstream.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' })
        res.end(`round-robin front: upstream ${target.host} failed`)
      } else {
        res.destroy()
      }
    })
    req.pipe(upstream)
    // The client went away before the answer ended: abort the upstream request, so the
    // instance sees the disconnect (and ends the stream or the request) as it would directly.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    get open () { return inFlight.size },
    async close () {
      const closed = new Promise((resolve) => server.close(resolve))
      server.closeAllConnections()
      for (const request of inFlight) request.destroy()
      inFlight.clear()
      agent.destroy()
      await closed
    }
  }
}
