// The app the telemetry tests drive: the shared test server plus a prompt, a resource and
// a tool answering isError, registered with telemetry on and the SDK of otel-harness.
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Test } from 'tap'
import mcpTransport, { type McpTransportOptions } from '../../lib/index.js'
import { initSession, testServer } from '../helpers.js'
import { setupOtel, type Otel } from './otel-harness.js'

export function telemetryServer () {
  const server = testServer()
  server.prompt('greet', { description: 'Says hello' }, () => 'Say hello.')
  server.resource('readme', 'docs://readme', { mimeType: 'text/plain' }, () => 'read me')
  server.tool('fail', { description: 'Answers isError' }, () => ({ content: [{ type: 'text', text: 'no' }], isError: true }))
  return server
}

export async function telemetryApp (otel: Otel, options: Partial<McpTransportOptions> = {}, fastify: FastifyServerOptions = {}, setup?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, ...fastify })
  setup?.(app)
  await app.register(mcpTransport, {
    server: telemetryServer(),
    telemetry: { tracerProvider: otel.tracerProvider, meterProvider: otel.meterProvider, propagator: otel.propagator },
    ...options
  })
  await app.ready()
  return app
}

/** A fresh SDK, the app, and an initialized legacy session; the app closes with the test. */
export async function tracedSession (t: Test): Promise<{ otel: Otel, app: FastifyInstance, id: string }> {
  const otel = setupOtel()
  const app = await telemetryApp(otel)
  t.teardown(() => app.close())
  return { otel, app, id: await initSession(app) }
}
