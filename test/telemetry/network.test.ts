// network.* and client.* over real connections (mcp.md §Recording MCP transport): HTTP/1.1
// with the peer's port, and HTTP/2 as network.protocol.version "2".
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { test } from 'tap'
import Fastify from 'fastify'
import mcpTransport from '../../lib/index.js'
import { initializeBody } from '../helpers.js'
import { HttpSession, listen } from '../server/http-client.js'
import { setupOtel } from './otel-harness.js'
import { telemetryApp, telemetryServer } from './telemetry-fixtures.js'

test('over an HTTP/1.1 socket: client.address and the peer\'s client.port', async (t) => {
  const otel = setupOtel()
  const url = await listen(t, await telemetryApp(otel))
  await HttpSession.open(url)
  const span = otel.spans().find((s) => s.name === 'initialize')!
  t.equal(span.attributes['network.protocol.version'], '1.1')
  t.equal(span.attributes['client.address'], '127.0.0.1')
  t.type(span.attributes['client.port'], 'number')
})

test('behind a proxy (trustProxy): the forwarded client address, and no port of the proxy\'s', async (t) => {
  const otel = setupOtel()
  const app = await telemetryApp(otel, {}, { trustProxy: true })
  t.teardown(() => app.close())
  await app.inject({
    method: 'POST',
    url: '/mcp',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-forwarded-for': '203.0.113.7' },
    payload: JSON.stringify(initializeBody())
  })
  const span = otel.spans().find((s) => s.name === 'initialize')!
  t.equal(span.attributes['client.address'], '203.0.113.7')
  t.notOk('client.port' in span.attributes)
})

test('over HTTP/2: network.protocol.version "2"', async (t) => {
  const otel = setupOtel()
  const app = Fastify({ http2: true })
  await app.register(mcpTransport, { server: telemetryServer(), telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, propagator: otel.propagator } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const client = http2.connect(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`)
  t.teardown(async () => { client.close(); await app.close() })
  await new Promise<void>((resolve, reject) => {
    const stream = client.request({ ':method': 'POST', ':path': '/mcp', 'content-type': 'application/json', accept: 'application/json, text/event-stream' })
    stream.on('error', reject)
    stream.on('end', resolve)
    stream.resume()
    stream.end(JSON.stringify(initializeBody()))
  })
  const span = otel.spans().find((s) => s.name === 'initialize')!
  t.equal(span.attributes['network.protocol.name'], 'http')
  t.equal(span.attributes['network.protocol.version'], '2')
})
