// The real mcp-remote bridge (what desktop clients run for remote servers) as a child
// process: it speaks JSON-RPC on stdin/stdout and connects to the plugin over HTTP. On /mcp
// it uses Streamable HTTP; on /sse its POST gets 405 and it falls back to HTTP+SSE.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { test, type Test } from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import mcpTransport from '../../lib/index.js'
import { testServer } from '../helpers.js'
import { listen } from '../legacy/sse-reader.js'

const require = createRequire(import.meta.url)
const packageJson = require.resolve('mcp-remote/package.json')
const bin = join(dirname(packageJson), (require(packageJson) as { bin: Record<string, string> }).bin['mcp-remote'])

/** A whole run may not take longer than this; the child is killed then. */
const CHILD_LIMIT_MS = 30_000
const REPLY_WAIT_MS = 15_000

interface Bridge {
  child: ChildProcessWithoutNullStreams
  stderr: () => string
  request: (id: number, method: string, params?: Record<string, unknown>) => Promise<any>
  notify: (method: string) => void
}

async function startBridge (t: Test, url: string): Promise<Bridge> {
  // Its own HOME and config dir: mcp-remote writes auth state and lock files there.
  const home = await mkdtemp(join(tmpdir(), 'mcp-remote-test-'))
  const child = spawn(process.execPath, [bin, url], {
    env: { PATH: process.env.PATH, HOME: home, MCP_REMOTE_CONFIG_DIR: join(home, '.mcp-auth'), XDG_CONFIG_HOME: home },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  const limit = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS)
  let log = ''
  child.stderr.on('data', (chunk: Buffer) => { log += chunk.toString() })
  const waiting = new Map<number, (message: any) => void>()
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message: any
    try {
      message = JSON.parse(line)
    } catch {
      return // not a JSON-RPC line
    }
    if (typeof message.id === 'number') waiting.get(message.id)?.(message)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  t.teardown(async () => {
    clearTimeout(limit)
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin.end()
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 2000)
      await exited
      clearTimeout(killer)
    }
    await rm(home, { recursive: true, force: true })
  })
  function send (message: Record<string, unknown>): void {
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', ...message }) + '\n')
  }
  return {
    child,
    stderr: () => log,
    notify: (method) => send({ method }),
    request: (id, method, params) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} within ${REPLY_WAIT_MS} ms; mcp-remote said:\n${log}`)), REPLY_WAIT_MS)
      waiting.set(id, (message) => { clearTimeout(timer); resolve(message) })
      exited.then(() => { clearTimeout(timer); reject(new Error(`mcp-remote exited before answering ${method}:\n${log}`)) }, reject)
      send(params === undefined ? { id, method } : { id, method, params })
    })
  }
}

async function startApp (t: Test): Promise<{ app: FastifyInstance, base: string }> {
  // forceCloseConnections: mcp-remote's probes leave streams and keep-alive sockets open.
  const app = Fastify({ logger: false, forceCloseConnections: true })
  await app.register(mcpTransport, { server: testServer() })
  const base = await listen(app)
  t.teardown(() => app.close())
  return { app, base }
}

async function session (t: Test, bridge: Bridge): Promise<void> {
  const init = await bridge.request(1, 'initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'stdio-client', version: '1.0.0' }
  })
  t.equal(init.result?.serverInfo?.name, 'test-server', 'initialize succeeded')
  bridge.notify('notifications/initialized')
  const list = await bridge.request(2, 'tools/list')
  t.ok(list.result?.tools?.some((tool: { name: string }) => tool.name === 'echo'), 'tools/list has echo')
  const call = await bridge.request(3, 'tools/call', { name: 'echo', arguments: { text: 'through mcp-remote' } })
  t.same(call.result?.content, [{ type: 'text', text: 'through mcp-remote' }], 'tools/call answered')
}

test('mcp-remote against /mcp: initialize, tools/list, tools/call over Streamable HTTP', async (t) => {
  const { base } = await startApp(t)
  const bridge = await startBridge(t, `${base}/mcp`)
  await session(t, bridge)
  t.match(bridge.stderr(), /StreamableHTTPClientTransport/)
})

test('mcp-remote against /sse: falls back on the 405 and works over HTTP+SSE', async (t) => {
  const { app, base } = await startApp(t)
  const bridge = await startBridge(t, `${base}/sse`)
  await session(t, bridge)
  t.match(bridge.stderr(), /status 405/)
  t.match(bridge.stderr(), /SSEClientTransport/)
  t.ok(app.mcpSessions.list().some((s) => s.clientInfo?.name.startsWith('stdio-client') === true), 'the bridged client has a session')
})
