// A pino logger whose lines the test can read: the Redis state's logged failures are part
// of its contract (a failure that is not refused is at least told).
import { Writable } from 'node:stream'

export class LogCapture extends Writable {
  readonly lines: Array<{ level: number, msg: string, [key: string]: unknown }> = []

  override _write (chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line !== '') this.lines.push(JSON.parse(line))
    done()
  }

  /** The messages logged so far that match. */
  matching (pattern: RegExp): string[] {
    return this.lines.map((l) => l.msg).filter((msg) => pattern.test(msg))
  }

  get options (): { level: string, stream: LogCapture } {
    return { level: 'debug', stream: this }
  }
}
