// One SERVER span per client request, by the OpenTelemetry MCP semantic conventions
// (semantic-conventions-genai docs/gen-ai/mcp.md §Server): names, attributes, parents,
// links and status, for both eras and both transports.
import { test } from 'tap'
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api'
import { post, initSession, sessionHeaders, until } from '../helpers.js'
import { modernMeta, modernRequest, MODERN } from '../modern/modern-helpers.js'
import { initializeMessage, openLegacy, postMessage } from '../legacy/sse-reader.js'
import { setupOtel, traceparentOf } from './otel-harness.js'
import { telemetryApp, tracedSession } from './telemetry-fixtures.js'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const PARENT_SPAN_ID = '00f067aa0ba902b7'
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`

function call (id: number, name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>) {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, ...(meta === undefined ? {} : { _meta: meta }) } }
}

test('tools/call: a SERVER span named "tools/call {tool}" with the conventions\' attributes, status unset', async (t) => {
  const { otel, app, id } = await tracedSession(t)
  const res = await post(app, call(7, 'echo', { text: 'hi' }), sessionHeaders(id))
  t.equal(res.statusCode, 200)
  const span = otel.spans().find((s) => s.name === 'tools/call echo')!
  t.ok(span, 'span named {mcp.method.name} {gen_ai.tool.name}')
  t.equal(span.kind, SpanKind.SERVER)
  t.same(span.attributes, {
    'mcp.method.name': 'tools/call',
    'jsonrpc.request.id': '7',
    'mcp.session.id': id,
    'mcp.protocol.version': '2025-11-25',
    'gen_ai.tool.name': 'echo',
    'gen_ai.operation.name': 'execute_tool',
    'network.protocol.name': 'http',
    'network.protocol.version': '1.1',
    'network.transport': 'tcp',
    'client.address': '127.0.0.1'
  })
  t.equal(span.status.code, SpanStatusCode.UNSET)
  t.equal(span.parentSpanContext, undefined, 'no _meta context and no ambient span: a root span')
  t.same(span.links, [])
  t.ok(otel.spans().some((s) => s.name === 'initialize' && s.attributes['mcp.session.id'] === id), 'initialize has its span too')
})

test('tools/call answering isError: error.type tool_error, status ERROR, no rpc status code', async (t) => {
  const { otel, app, id } = await tracedSession(t)
  await post(app, call(2, 'fail'), sessionHeaders(id))
  const span = otel.spans().find((s) => s.name === 'tools/call fail')!
  t.equal(span.attributes['error.type'], 'tool_error')
  t.equal(span.attributes['rpc.response.status_code'], undefined, 'the response has no error code')
  t.equal(span.status.code, SpanStatusCode.ERROR)
})

test('a JSON-RPC error: error.type and rpc.response.status_code are the code, the status message the error message', async (t) => {
  const { otel, app, id } = await tracedSession(t)
  const res = await post(app, call(3, 'nope'), sessionHeaders(id))
  const { error } = res.json()
  const span = otel.spans().find((s) => s.name === 'tools/call nope')!
  t.equal(span.attributes['error.type'], String(error.code))
  t.equal(span.attributes['rpc.response.status_code'], String(error.code))
  t.same(span.status, { code: SpanStatusCode.ERROR, message: error.message })
})

test('a cancelled tools/call: error.type cancelled, status ERROR', async (t) => {
  const { otel, app, id } = await tracedSession(t)
  const pending = post(app, call(4, 'wait', { ms: 10_000 }), sessionHeaders(id))
  await until(() => app.mcpSessions.list()[0].inflight === 1)
  await post(app, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 4, reason: 'user' } }, sessionHeaders(id))
  await pending
  const span = otel.spans().find((s) => s.name === 'tools/call wait')!
  t.equal(span.attributes['error.type'], 'cancelled')
  t.equal(span.status.code, SpanStatusCode.ERROR)
})

test('a tools/call without a tool name is named by its method alone', async (t) => {
  const { otel, app, id } = await tracedSession(t)
  await post(app, { jsonrpc: '2.0', id: 16, method: 'tools/call', params: { arguments: {} } }, sessionHeaders(id))
  const span = otel.spans().find((s) => s.attributes['jsonrpc.request.id'] === '16')!
  t.equal(span.name, 'tools/call')
  t.notOk('gen_ai.tool.name' in span.attributes)
  t.equal(span.attributes['gen_ai.operation.name'], 'execute_tool')
  t.equal(span.attributes['error.type'], '-32602')
})

test('prompts/get: named "prompts/get {prompt}" with gen_ai.prompt.name', async (t) => {
  const { otel, app, id } = await tracedSession(t)
  await post(app, { jsonrpc: '2.0', id: 5, method: 'prompts/get', params: { name: 'greet' } }, sessionHeaders(id))
  const span = otel.spans().find((s) => s.name === 'prompts/get greet')!
  t.equal(span.attributes['gen_ai.prompt.name'], 'greet')
  t.equal(span.attributes['gen_ai.operation.name'], undefined, 'execute_tool is for tools/call only')
  t.equal(span.attributes['error.type'], undefined)
})

test('resources/read: mcp.resource.uri on the span, not in its name (high cardinality)', async (t) => {
  const { otel, app, id } = await tracedSession(t)
  await post(app, { jsonrpc: '2.0', id: 6, method: 'resources/read', params: { uri: 'docs://readme' } }, sessionHeaders(id))
  const span = otel.spans().find((s) => s.attributes['mcp.method.name'] === 'resources/read')!
  t.equal(span.name, 'resources/read')
  t.equal(span.attributes['mcp.resource.uri'], 'docs://readme')
})

test('completion/complete names its prompt, or carries its resource URI', async (t) => {
  const { otel, app, id } = await tracedSession(t)
  const complete = (n: number, ref: Record<string, unknown>) => post(app, {
    jsonrpc: '2.0', id: n, method: 'completion/complete', params: { ref, argument: { name: 'x', value: '' } }
  }, sessionHeaders(id))
  await complete(8, { type: 'ref/prompt', name: 'greet' })
  await complete(9, { type: 'ref/resource', uri: 'docs://{x}' })
  await complete(10, { type: 'ref/other' })
  const spans = otel.spans().filter((s) => s.attributes['mcp.method.name'] === 'completion/complete')
  t.same(spans.map((s) => s.name), ['completion/complete greet', 'completion/complete', 'completion/complete'])
  t.equal(spans[0].attributes['gen_ai.prompt.name'], 'greet')
  t.equal(spans[1].attributes['mcp.resource.uri'], 'docs://{x}')
  t.notOk('gen_ai.prompt.name' in spans[2].attributes || 'mcp.resource.uri' in spans[2].attributes)
})

test('a 2026-07-28 request: its _meta traceparent is the parent, tracestate kept, no session id', async (t) => {
  const otel = setupOtel()
  const app = await telemetryApp(otel)
  t.teardown(() => app.close())
  const res = await modernRequest(app, 'tools/call', { name: 'echo', arguments: { text: 'x' } }, {
    id: 11,
    meta: modernMeta({}, { traceparent: TRACEPARENT, tracestate: 'rojo=00f067aa0ba902b7' })
  })
  t.equal(res.statusCode, 200)
  const span = otel.spans().find((s) => s.name === 'tools/call echo')!
  t.equal(span.spanContext().traceId, TRACE_ID, 'the trace continues')
  t.equal(span.parentSpanContext?.spanId, PARENT_SPAN_ID)
  t.equal(span.parentSpanContext?.isRemote, true)
  t.equal(span.spanContext().traceState?.get('rojo'), '00f067aa0ba902b7')
  t.equal(span.attributes['mcp.protocol.version'], MODERN)
  t.equal(span.attributes['jsonrpc.request.id'], '11')
  t.notOk('mcp.session.id' in span.attributes, 'stateless: no session')
})

test('a legacy request with _meta traceparent has it as parent too', async (t) => {
  const { otel, app, id } = await tracedSession(t)
  await post(app, call(12, 'echo', { text: 'x' }, { traceparent: TRACEPARENT }), sessionHeaders(id))
  const span = otel.spans().find((s) => s.name === 'tools/call echo')!
  t.equal(span.parentSpanContext?.spanId, PARENT_SPAN_ID)
})

test('the HTTP server span (as @fastify/otel makes it) is linked, not the parent', async (t) => {
  const otel = setupOtel()
  const tracer = otel.tracerProvider.getTracer('http-test')
  let httpSpan: ReturnType<typeof tracer.startSpan> | undefined
  // What @fastify/otel does: the route's handler runs in the context of the HTTP span.
  const app = await telemetryApp(otel, {}, {}, (instance) => {
    instance.addHook('preHandler', (request, _reply, done) => {
      if (request.method !== 'POST') return done()
      httpSpan = tracer.startSpan('POST /mcp', { kind: SpanKind.SERVER })
      context.with(trace.setSpan(context.active(), httpSpan), done)
    })
  })
  t.teardown(() => app.close())
  const id = await initSession(app)
  await post(app, call(13, 'echo', { text: 'x' }, { traceparent: TRACEPARENT }), sessionHeaders(id))
  const span = otel.spans().find((s) => s.name === 'tools/call echo')!
  t.equal(span.parentSpanContext?.spanId, PARENT_SPAN_ID, 'the parent is the _meta context')
  t.equal(span.links.length, 1)
  t.equal(span.links[0].context.spanId, httpSpan!.spanContext().spanId, 'the HTTP span is a link')
})

test('an HTTP+SSE request: one SERVER span with the session, protocol 2024-11-05', async (t) => {
  const otel = setupOtel()
  const app = await telemetryApp(otel)
  t.teardown(() => app.close())
  const sse = await openLegacy(app)
  await postMessage(app, sse.sessionId, initializeMessage(0, '2024-11-05'))
  await sse.reader.message()
  await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'sse' }, _meta: { traceparent: TRACEPARENT } } })
  t.same((await sse.reader.message()).result.content, [{ type: 'text', text: 'sse' }])
  sse.res.stream().destroy()
  const span = otel.spans().find((s) => s.name === 'tools/call echo')!
  t.equal(span.kind, SpanKind.SERVER)
  t.equal(span.attributes['mcp.session.id'], sse.sessionId)
  t.equal(span.attributes['mcp.protocol.version'], '2024-11-05')
  t.equal(span.attributes['network.protocol.name'], 'http')
  t.equal(span.parentSpanContext?.spanId, PARENT_SPAN_ID)
})

test('what a handler sends carries its request\'s context in _meta: progress, and a server-to-client request', async (t) => {
  const { otel, app, id } = await tracedSession(t)
  const res = await post(app, call(14, 'progress', { steps: 1 }, { progressToken: 'p' }), sessionHeaders(id))
  const span = otel.spans().find((s) => s.name === 'tools/call progress')!
  const [progress] = res.body.split('\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)))
  t.equal(progress.method, 'notifications/progress')
  t.same(progress.params, { progressToken: 'p', progress: 1, total: 1, _meta: { traceparent: traceparentOf(span) } })

  const asking = post(app, call(15, 'ask'), sessionHeaders(id), { payloadAsStream: true })
  const stream = (await asking).stream()
  let text = ''
  for await (const chunk of stream) {
    text += String(chunk)
    if (text.includes('roots/list')) break
  }
  stream.destroy()
  const ask = JSON.parse(text.split('\n').find((l) => l.includes('roots/list'))!.slice(6))
  t.match(ask.params._meta.traceparent, new RegExp(`^00-[0-9a-f]{32}-[0-9a-f]{16}-01$`))
  await app.mcpSessions.close(id)
  await until(() => otel.spans().some((s) => s.name === 'tools/call ask'))
  t.equal(ask.params._meta.traceparent, traceparentOf(otel.spans().find((s) => s.name === 'tools/call ask')!))
})
