// The multi-instance harness proves itself before any cluster test leans on it: redis-server
// starts, restarts on its port, pauses and stops; instances start as processes, answer, die
// on SIGKILL; the round-robin front alternates between them; nothing outlives a killed parent.
import { spawn } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import tap from 'tap'
import { startCluster, type Cluster } from './support/cluster.js'
import { CLUSTER_APP, CLUSTER_FILE_TIMEOUT_MS, Instance, plainEnv } from './support/instances.js'

// The support modules as the build compiles them (bench/ imports them): a child test process
// without tap's TypeScript loader starts in a second instead of ten.
const REDIS_SUPPORT = fileURLToPath(new URL('../../dist/test/cluster/support/redis-server.js', import.meta.url))
const INSTANCES_SUPPORT = fileURLToPath(new URL('../../dist/test/cluster/support/instances.js', import.meta.url))

/** Connects, or reports the error code (ECONNREFUSED once nothing listens). */
function connectOutcome (port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
}

function running (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function gone (pid: number, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (running(pid)) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return true
}

// One cluster for the file (instances take seconds to start on a loaded machine): the front
// test uses both instances, then the SIGKILL test kills A.
function suite ({ redis, instances, front }: Cluster): void {
  tap.test('redis-server answers, restarts empty on the same port, pauses and resumes', async (t) => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 })
    // While the server restarts the client logs its reconnect attempts as errors.
    client.on('error', () => {})
    t.teardown(() => client.disconnect())
    t.equal(await client.ping(), 'PONG')
    await client.set('harness:key', 'v')
    t.equal(await client.get('harness:key'), 'v')
    const before = redis.pid
    await redis.restart()
    t.not(redis.pid, before, 'a new process')
    t.equal(redis.url, `redis://127.0.0.1:${redis.port}`, 'on the same port')
    // The client reconnects by itself; the fresh server kept nothing (no disk).
    t.equal(await client.get('harness:key'), null)

    redis.pause()
    const late = await Promise.race([client.ping(), new Promise((resolve) => setTimeout(() => resolve('no answer'), 300))])
    t.equal(late, 'no answer', 'a paused server does not answer')
    redis.resume()
    t.equal(await client.ping(), 'PONG', 'and answers once resumed')
  })

  tap.test('the round-robin front sends each request to the next instance', async (t) => {
    const pids: number[] = []
    for (let i = 0; i < 4; i++) pids.push(((await (await fetch(`${front.url}/_test/sessions`)).json()) as { pid: number }).pid)
    t.same(pids, [instances[0].pid, instances[1].pid, instances[0].pid, instances[1].pid])
    t.same(front.counts, [2, 2])
    const init = await fetch(`${front.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'harness', version: '1' } } })
    })
    t.equal(init.status, 200, 'MCP passes the front (Host and Origin checks included)')
    t.type(init.headers.get('mcp-session-id'), 'string')
  })

  tap.test('instances start as processes, answer /health, and die on SIGKILL', async (t) => {
    const [a, b] = instances
    t.not(a.port, b.port)
    t.not(a.pid, b.pid)
    for (const instance of [a, b]) {
      const health = await fetch(`${instance.url}/health`)
      t.equal(health.status, 200)
      t.equal((await health.json() as { status: string }).status, 'ok')
      const sessions = await (await fetch(`${instance.url}/_test/sessions`)).json() as { pid: number }
      t.equal(sessions.pid, instance.pid, 'the admin route answers from that process')
    }
    a.kill('SIGKILL')
    t.equal(await a.exited, 'SIGKILL')
    t.notOk(a.alive)
    t.equal(await connectOutcome(a.port), 'ECONNREFUSED', 'nothing listens on its port any more')
    t.equal((await fetch(`${b.url}/health`)).status, 200, 'the other one is unaffected')
    t.equal(await b.stop(), 0, 'SIGTERM closes the app and exits 0')
  })

  tap.test('an instance that cannot start fails with its stderr in the message', async (t) => {
    await Promise.all([
      t.rejects(Instance.start({ env: { STATE: 'memory', APP: 'nope' } }), /APP must be one of test, conformance, demo/),
      // The compiled app itself, as the cluster tests run it, without any state configured.
      t.rejects(Instance.start({ script: CLUSTER_APP, env: { REDIS_URL: '' } }), /REDIS_URL is required/)
    ])
  })

  tap.test('a SIGKILLed parent leaves neither redis-server nor an instance behind', async (t) => {
    // A child test process that starts both, reports their pids, and is then killed.
    const code = `
      import { startRedisServer } from ${JSON.stringify(REDIS_SUPPORT)}
      import { Instance } from ${JSON.stringify(INSTANCES_SUPPORT)}
      const redis = await startRedisServer()
      const instance = await Instance.start({ env: { STATE: 'memory' } })
      process.stdout.write(JSON.stringify({ redis: redis.pid, instance: instance.pid }) + '\\n')
      setInterval(() => {}, 1000)
    `
    const parent = spawn(process.execPath, ['--input-type=module', '-e', code], { env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    parent.stderr.setEncoding('utf8')
    parent.stderr.on('data', (chunk: string) => { stderr += chunk })
    t.teardown(() => { parent.kill('SIGKILL') })
    const pids = await new Promise<{ redis: number, instance: number }>((resolve, reject) => {
      let out = ''
      parent.stdout.setEncoding('utf8')
      parent.stdout.on('data', (chunk: string) => {
        out += chunk
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]))
      })
      parent.once('exit', (how) => reject(new Error(`the child exited early (${String(how)}): ${stderr}`)))
    })
    t.ok(running(pids.redis) && running(pids.instance), 'both run while the parent lives')
    parent.kill('SIGKILL')
    t.ok(await gone(pids.redis), 'redis-server is gone')
    t.ok(await gone(pids.instance), 'the instance is gone')
  })
}

tap.setTimeout(CLUSTER_FILE_TIMEOUT_MS)
const cluster = await startCluster(tap)
if (cluster !== null) suite(cluster)
