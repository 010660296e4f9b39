// TEMPORARY until the harness lands: a redis-server of its own for a test file.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

export async function redisFor (test: any): Promise<{ url: string, dbsize: () => Promise<number>, pause: () => Promise<void>, resume: () => Promise<void> }> {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  process.once('exit', () => child.kill('SIGKILL'))
  const url = `redis://127.0.0.1:${port}`
  const admin = new Redis(url, { retryStrategy: () => 50 })
  await admin.ping()
  test.teardown(() => {
    admin.disconnect()
    child.kill('SIGKILL')
  })
  return {
    url,
    dbsize: () => admin.dbsize(),
    pause: async () => { child.kill('SIGSTOP') },
    resume: async () => { child.kill('SIGCONT') }
  }
}
