import { test } from 'tap'
import { buildApp, initSession, post, sessionHeaders } from './helpers.js'

test('initialize then tools/list answers JSON', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const id = await initSession(app)
  const res = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, sessionHeaders(id))
  t.equal(res.statusCode, 200)
  t.equal(res.json().result.tools.length, 5)
})
