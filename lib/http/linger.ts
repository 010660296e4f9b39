import type { IncomingMessage } from 'node:http'

export interface LingerBounds {
  /** Bytes of the refused body read and discarded before the connection is cut. */
  bytes: number
  /** Milliseconds after the 413 before a body still arriving has its connection cut. */
  timeout: number
}

/**
 * Lingering close after a 413 on HTTP/1 (what nginx does): the answer is written while
 * the client may still be sending the body. Closing the socket then leaves unread bytes in
 * its receive buffer, the kernel answers them with a reset, and the client, still busy
 * writing, sees EPIPE/ECONNRESET instead of the 413 (issue 13 #2: 163 of 200 raw node:http
 * tries). So the connection is kept and the rest of the body read and thrown away. A body
 * that ends within the bounds leaves the connection as the client asked: kept for its next
 * request, or, if it asked to close, ended now that nothing is left unread. One that goes
 * on past `bytes` or `timeout` (a client that never stops) has its socket destroyed, by
 * which time the client has long had the answer.
 *
 * The caller keeps Node from closing the socket when the answer is written (a
 * `Connection: keep-alive` answer), and calls this before the answer is sent: a listener
 * attached afterwards would meet Node's own dump of the body, which removes every 'data'
 * listener.
 */
export function lingerOnRefusedBody (raw: IncomingMessage, bounds: LingerBounds): void {
  // Called while the body is unread or being read (Fastify refuses it from its
  // Content-Length or while reading): its 'end' is still to come, even if the parser has it
  // all, because 'end' follows the last chunk read, and this reads them.
  const socket = raw.socket
  // RFC 9112 §9.6: close after the answer when the client asked to, as Node would have.
  const closeAfter = raw.httpVersionMinor === 0 || /close/i.test(raw.headers.connection ?? '')
  let discarded = 0
  const cut = (): void => {
    release()
    socket.destroy()
  }
  const timer = setTimeout(cut, bounds.timeout)
  timer.unref()
  function onData (chunk: Buffer): void {
    discarded += chunk.length
    if (discarded > bounds.bytes) cut()
  }
  function onEnd (): void {
    release()
    if (closeAfter) socket.end()
  }
  function release (): void {
    clearTimeout(timer)
    raw.removeListener('data', onData)
    raw.removeListener('end', onEnd)
    socket.removeListener('close', release)
  }
  raw.on('data', onData)
  raw.once('end', onEnd)
  socket.once('close', release)
}
