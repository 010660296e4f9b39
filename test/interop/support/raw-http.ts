import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'

export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  /** The whole body; 'done' when the server ended it, 'error' when the connection broke. */
  body: Promise<{ text: string, ended: 'done' | 'error' }>
  /** Drops the connection, as a client that goes away does. */
  destroy: () => void
}

export interface PendingRequest {
  /** Resolves when the response head arrives. */
  response: Promise<RawResponse>
  /** Drops the connection, whether or not a response has started. */
  destroy: () => void
}

/**
 * One request on its own connection (no agent, no pooling). fetch keeps spare keep-alive
 * sockets, and a socket that never carried a request keeps server.close() waiting until
 * the client drops it: tests that time close() must not depend on that.
 */
export function startRequest (url: URL, options: { method?: string, headers?: Record<string, string>, body?: string } = {}): PendingRequest {
  const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false })
  const response = new Promise<RawResponse>((resolve, reject) => {
    req.on('response', (res) => {
      res.setEncoding('utf8')
      let text = ''
      const body = new Promise<{ text: string, ended: 'done' | 'error' }>((resolveBody) => {
        res.on('data', (chunk: string) => { text += chunk })
        res.on('end', () => resolveBody({ text, ended: 'done' }))
        res.on('error', () => resolveBody({ text, ended: 'error' }))
        res.on('close', () => resolveBody({ text, ended: res.complete ? 'done' : 'error' }))
      })
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body, destroy: () => req.destroy() })
    })
    req.on('error', reject)
  })
  // A request dropped on purpose rejects; callers that only destroy it need not care.
  response.catch(() => {})
  req.end(options.body)
  return { response, destroy: () => req.destroy() }
}

/** startRequest, resolved when the response head arrives. */
export function rawRequest (url: URL, options: { method?: string, headers?: Record<string, string>, body?: string } = {}): Promise<RawResponse> {
  return startRequest(url, options).response
}
