// `npm start` as a user runs it: fastify-cli on the compiled demo app. Proves the built
// package loads outside the test loader and serves MCP on its own.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { ACCEPT_BOTH, initializeBody } from '../helpers.js'
import { rawRequest } from './support/raw-http.js'
import { exited, freePort, serverProcess } from './support/cli-process.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const appModule = 'dist/examples/app.js'

test('the app starts with fastify-cli as npm start runs it and serves initialize and tools/list', async (t) => {
  if (!existsSync(`${root}${appModule}`)) {
    t.fail(`${appModule} is missing: run \`npm run build\` first (npm test does it before the tests)`)
    return
  }
  const port = await freePort()
  const child = spawn(process.execPath, ['node_modules/fastify-cli/cli.js', 'start', '--address', '127.0.0.1', '--port', String(port), appModule], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const { base } = await serverProcess(t, child, port)
  const mcp = new URL('/mcp', base)
  const headers = { 'content-type': 'application/json', accept: ACCEPT_BOTH }

  const init = await rawRequest(mcp, { method: 'POST', headers, body: JSON.stringify(initializeBody()) })
  t.equal(init.status, 200)
  const id = init.headers['mcp-session-id']
  t.type(id, 'string', 'initialize returned Mcp-Session-Id')
  const initResult = JSON.parse((await init.body).text)
  t.match(initResult, { jsonrpc: '2.0', id: 1, result: { protocolVersion: '2025-11-25', serverInfo: { name: 'fastify-mcp-transport-demo' } } })

  const sessionHeaders = { ...headers, 'mcp-session-id': id as string, 'mcp-protocol-version': '2025-11-25' }
  const initialized = await rawRequest(mcp, { method: 'POST', headers: sessionHeaders, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })
  t.equal(initialized.status, 202)
  await initialized.body
  const list = await rawRequest(mcp, { method: 'POST', headers: sessionHeaders, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) })
  t.equal(list.status, 200)
  const names = JSON.parse((await list.body).text).result.tools.map((tool: { name: string }) => tool.name)
  for (const name of ['echo', 'add', 'countdown']) t.ok(names.includes(name), `the demo server lists ${name}`)

  // A client still listening on its GET stream must not hold the shutdown up.
  const get = await rawRequest(mcp, { headers: { accept: 'text/event-stream', 'mcp-session-id': id as string } })
  t.equal(get.status, 200)
  child.kill('SIGTERM')
  t.ok(await exited(child, 10_000), 'fastify-cli exits on SIGTERM')
  t.equal(child.exitCode, 0, 'a clean exit, not close-with-grace giving up')
  t.equal((await get.body).ended, 'done', 'the GET stream was ended by the server')
})
