import { request as httpRequest, Agent, type IncomingMessage } from 'node:http'

export interface StreamRead {
  status: number
  text: string
  /** True when the server ended the response (not cut by us). */
  complete: boolean
}

/**
 * Sends a request and reads its SSE body; when `cutAfter` bytes have arrived the connection
 * is destroyed, as a flaky network would. Bounded by `timeout` ms.
 */
export function readStream (port: number, method: string, headers: Record<string, string>, body: unknown, cutAfter = Infinity, timeout = 5000, agent?: Agent): Promise<StreamRead> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/mcp', method, headers, agent })
    const timer = setTimeout(() => { req.destroy(); reject(new Error(`no answer in ${timeout} ms`)) }, timeout)
    req.on('error', (err) => { clearTimeout(timer); reject(err) })
    req.on('response', (res: IncomingMessage) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
        if (text.length >= cutAfter) {
          // Keep only whole events, as an SSE client would have dispatched.
          const whole = text.lastIndexOf('\n\n')
          text = whole === -1 ? '' : text.slice(0, whole + 2)
          clearTimeout(timer)
          req.destroy()
          resolve({ status: res.statusCode!, text, complete: false })
        }
      })
      res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode!, text, complete: true }) })
      res.on('error', () => {})
    })
    req.end(body === undefined ? undefined : JSON.stringify(body))
  })
}
