// TEMPORARY until the harness lands: a Redis for a test file (REDIS_URL or 127.0.0.1:6390).
import { Redis } from 'ioredis'
export async function redisFor (test: any): Promise<{ url: string, dbsize: () => Promise<number> }> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6390'
  const admin = new Redis(url)
  await admin.flushall()
  test.teardown?.(() => admin.disconnect())
  return { url, dbsize: () => admin.dbsize() }
}
