// The verified token reaches every handler as ctx.authInfo (and SDK handlers as
// extra.authInfo): legacy sessions, batches, 2026-07-28 stateless requests, HTTP+SSE.
import { test } from 'tap'
import Fastify from 'fastify'
import { McpServer as SdkMcpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import mcpTransport, { type AuthInfo, type McpServerContract, type NotificationContext, type RequestContext } from '../../lib/index.js'
import { fromSdkServer } from '../../lib/adapters/index.js'
import { buildApp, initializeBody, post, sessionHeaders } from '../helpers.js'
import { modernRequest } from '../modern/modern-helpers.js'
import { initializeMessage, openLegacy, postMessage } from '../legacy/sse-reader.js'
import { TOKENS, authApp, authOptions, authServer, authSession, bearer, toolText, whoami } from './auth-helpers.js'

test('a built-in tool handler gets the verified token as ctx.authInfo', async (t) => {
  const app = await authApp(t)
  const session = await authSession(app, 'good')
  const res = await whoami(app, session, 'good')
  t.same(JSON.parse(toolText(res)), TOKENS.good)
})

test('each request brings its own token: the session does not remember the first one', async (t) => {
  const app = await authApp(t)
  const session = await authSession(app, 'good')
  const res = await whoami(app, session, 'again')
  t.equal(JSON.parse(toolText(res)).clientId, 'client-b')
})

test('without auth ctx.authInfo is undefined', async (t) => {
  const app = await buildApp({}, authServer())
  t.teardown(() => app.close())
  const init = await post(app, initializeBody())
  const session = init.headers['mcp-session-id'] as string
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } }, sessionHeaders(session))
  t.equal(toolText(res), 'null')
})

test('a 2026-07-28 stateless request gets the token of its own HTTP request', async (t) => {
  const app = await authApp(t)
  const res = await modernRequest(app, 'tools/call', { name: 'whoami', arguments: {} }, { headers: bearer('service') })
  t.equal(res.statusCode, 200)
  t.same(JSON.parse(res.json().result.content[0].text), TOKENS.service)
  t.equal((await modernRequest(app, 'tools/call', { name: 'whoami', arguments: {} })).statusCode, 401, 'and needs one')
})

test('an HTTP+SSE session: initialize and tools/call posted with a token reach the handler with it', async (t) => {
  const app = await authApp(t)
  const sse = await openLegacy(app, '/sse', bearer('good'))
  t.teardown(() => sse.res.stream().destroy())
  t.equal((await postMessage(app, sse.sessionId, initializeMessage(0), bearer('good'))).statusCode, 202)
  t.ok((await sse.reader.message()).result, 'initialized')
  await postMessage(app, sse.sessionId, { jsonrpc: '2.0', method: 'notifications/initialized' }, bearer('good'))
  await postMessage(app, sse.sessionId, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }, bearer('again'))
  const answer = await sse.reader.message()
  t.equal(JSON.parse(answer.result.content[0].text).clientId, 'client-b')
})

/** A raw McpServerContract that records the authInfo of every context it gets. */
function recordingServer (): { server: McpServerContract, requests: Array<[string, AuthInfo | undefined]>, notifications: Array<[string, AuthInfo | undefined]> } {
  const requests: Array<[string, AuthInfo | undefined]> = []
  const notifications: Array<[string, AuthInfo | undefined]> = []
  const server: McpServerContract = {
    handleRequest (request, context: RequestContext) {
      requests.push([request.method, context.authInfo])
      if (request.method === 'initialize') {
        return { protocolVersion: (request.params as { protocolVersion: string }).protocolVersion, capabilities: {}, serverInfo: { name: 'raw', version: '1' } }
      }
      return {}
    },
    handleNotification (notification, context: NotificationContext) {
      notifications.push([notification.method, context.authInfo])
    }
  }
  return { server, requests, notifications }
}

test('notification handlers get the token as context.authInfo', async (t) => {
  const { server, notifications } = recordingServer()
  const app = await authApp(t, {}, server as never)
  await authSession(app, 'good')
  t.same(notifications, [['notifications/initialized', TOKENS.good]])
})

test('the requests and notifications of a 2025-03-26 batch get the token', async (t) => {
  const { server, requests, notifications } = recordingServer()
  const app = await authApp(t, {}, server as never)
  const init = await post(app, initializeBody('2025-03-26'), bearer('good'))
  const session = init.headers['mcp-session-id'] as string
  const res = await post(app, [
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'ping' }
  ], { ...sessionHeaders(session, '2025-03-26'), ...bearer('again') })
  t.equal(res.statusCode, 200)
  t.same(requests, [['initialize', TOKENS.good], ['ping', TOKENS.again]])
  t.same(notifications, [['notifications/initialized', TOKENS.again]])
})

test('a 2026-07-28 notification gets the token', async (t) => {
  const { server, notifications } = recordingServer()
  const app = await authApp(t, {}, server as never)
  const res = await modernRequest(app, 'notifications/roots/list_changed', {}, { notification: true, headers: bearer('bob') })
  t.equal(res.statusCode, 202)
  t.same(notifications, [['notifications/roots/list_changed', TOKENS.bob]])
})

function sdkWhoami (): SdkMcpServer {
  const server = new SdkMcpServer({ name: 'sdk', version: '1.0.0' })
  server.registerTool('whoami', { description: 'Shows extra.authInfo' }, async (extra) => ({
    content: [{
      type: 'text',
      text: JSON.stringify({ ...extra.authInfo, resourceIsUrl: extra.authInfo?.resource instanceof URL })
    }]
  }))
  return server
}

test('an SDK server behind fromSdkServer gets the token as extra.authInfo, resource as a URL', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(mcpTransport, { server: fromSdkServer(sdkWhoami), auth: authOptions() })
  const session = await authSession(app, 'good')
  const seen = JSON.parse(toolText(await whoami(app, session, 'good')))
  t.same(seen, { ...TOKENS.good, resource: 'https://mcp.example.com/mcp', resourceIsUrl: true })
  const other = JSON.parse(toolText(await whoami(app, session, 'again')))
  t.same(other, { ...TOKENS.again, resourceIsUrl: false }, 'a token without resource has none')
})

test('an SDK server answering a 2026-07-28 request gets extra.authInfo too', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(mcpTransport, { server: fromSdkServer(sdkWhoami), auth: authOptions() })
  const res = await modernRequest(app, 'tools/call', { name: 'whoami', arguments: {} }, { headers: bearer('service') })
  t.equal(JSON.parse(res.json().result.content[0].text).clientId, 'service-client')
})
