// Bounded polling for state that changes on another connection (a GET stream the SDK
// opens in the background, a socket close the server sees a moment later). Tests never
// wait without a limit: a condition that does not come true fails with its description.
export async function waitUntil (condition: () => boolean, description: string, timeoutMs = 2000, stepMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${description}`)
    await new Promise((resolve) => setTimeout(resolve, stepMs))
  }
}

/** Resolves with the promise's value, or rejects once `timeoutMs` passed without one. */
export async function within<T> (promise: Promise<T>, timeoutMs: number, description: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`)), timeoutMs)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
