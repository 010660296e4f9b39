// logging/setLevel and ctx.log: log notifications from a handler travel on that request's
// stream, filtered by the level the session set (2025-11-25 server/utilities/logging).
import { test } from 'tap'
import { buildApp, initSession, post, sessionHeaders, sseMessages } from '../helpers.js'
import { createMcpServer, type LoggingLevel } from '../../lib/index.js'

function loggingServer () {
  const server = createMcpServer({ name: 'logs', version: '1.0.0' })
  server.tool('chatty', {}, (_args, ctx) => {
    ctx.log('debug', 'debug detail')
    ctx.log('info', { step: 1 }, 'worker')
    ctx.log('warning', 'careful')
    ctx.log('emergency', 'on fire')
    return 'done'
  })
  return server
}

async function callChatty (level?: LoggingLevel) {
  const app = await buildApp({}, loggingServer())
  const session = await initSession(app)
  if (level !== undefined) {
    const set = await post(app, { jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level } }, sessionHeaders(session))
    if (JSON.stringify(set.json()) !== '{"jsonrpc":"2.0","id":1,"result":{}}') throw new Error(set.body)
  }
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'chatty' } }, sessionHeaders(session))
  await app.close()
  return { res, messages: sseMessages(res.body) }
}

test('without logging/setLevel every log message is sent, on the request stream, before the result', async (t) => {
  const { res, messages } = await callChatty()
  t.match(res.headers['content-type'], /^text\/event-stream/)
  t.same(messages.map((m) => m.params?.level ?? 'result'), ['debug', 'info', 'warning', 'emergency', 'result'])
  t.same(messages[1], { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: { step: 1 }, logger: 'worker' } })
  t.notOk('logger' in messages[0].params, 'no logger field when none was given')
  t.equal(messages[4].id, 2)
})

test('logging/setLevel warning drops debug and info', async (t) => {
  const { messages } = await callChatty('warning')
  t.same(messages.map((m) => m.params?.level ?? 'result'), ['warning', 'emergency', 'result'])
})

test('logging/setLevel emergency keeps only emergency', async (t) => {
  const { messages } = await callChatty('emergency')
  t.same(messages.map((m) => m.params?.level ?? 'result'), ['emergency', 'result'])
})

test('when every message is filtered out the answer stays plain JSON', async (t) => {
  const server = createMcpServer({ name: 'quiet', version: '1.0.0' })
  server.tool('quiet', {}, (_args, ctx) => { ctx.log('debug', 'hidden'); return 'done' })
  const app = await buildApp({}, server)
  t.teardown(() => app.close())
  const session = await initSession(app)
  await post(app, { jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level: 'error' } }, sessionHeaders(session))
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'quiet' } }, sessionHeaders(session))
  t.equal(res.headers['content-type'], 'application/json; charset=utf-8')
  t.equal(res.json().result.content[0].text, 'done')
})

test('an unknown level is -32602', async (t) => {
  const app = await buildApp({}, loggingServer())
  t.teardown(() => app.close())
  const session = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 1, method: 'logging/setLevel', params: { level: 'loud' } }, sessionHeaders(session))
  t.same(res.json().error, { code: -32602, message: 'Invalid log level: loud' })
})
