// The Redis of one cluster test file, with an admin connection for what tests check
// directly (DBSIZE, client lists), both gone in the file's teardown.
import { Redis } from 'ioredis'
import { redisForTest, type TapLike } from './redis-server.js'

export interface ClusterRedis {
  url: string
  admin: Redis
  dbsize: () => Promise<number>
  pause: () => void
  resume: () => void
}

/** null when redis-server is missing outside CI (the file is skipped, loudly). */
export async function clusterRedis (t: TapLike): Promise<ClusterRedis | null> {
  const server = await redisForTest(t)
  if (server === null) return null
  const admin = new Redis(server.url)
  t.teardown(() => admin.disconnect())
  return { url: server.url, admin, dbsize: () => admin.dbsize(), pause: () => server.pause(), resume: () => server.resume() }
}

/** Waits (bounded) until `check` holds. */
export async function until (check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not reached in ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
