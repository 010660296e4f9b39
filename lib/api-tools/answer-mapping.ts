import { STATUS_CODES } from 'node:http'
import type { CallToolResult } from '../server/tool-registry.js'
import type { ToolOutput } from './tool-output.js'
import type { JsonSchema } from './operation.js'

/** An HTTP answer as both callers see it: from app.inject, or from fetch. */
export interface ApiAnswer {
  status: number
  contentType: string | undefined
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>
  /** Stops reading and releases the body (a stream the tool will not read to its end). */
  discard: () => void
  /** The called URL: the URI of an embedded resource. */
  url: string
}

type BodyKind = 'json' | 'text' | 'stream' | 'binary'

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/
const TEXT_TYPE = /^(?:text\/[\w.+-]+|application\/(?:[\w.+-]+\+)?xml|application\/(?:javascript|x-www-form-urlencoded|yaml))$/

function kindOf (mediaType: string): BodyKind {
  if (JSON_TYPE.test(mediaType)) return 'json'
  // An event stream may never end: a tool result is one answer, so it cannot carry one.
  if (mediaType === 'text/event-stream') return 'stream'
  if (mediaType === '' || TEXT_TYPE.test(mediaType)) return 'text'
  return 'binary'
}

function failure (text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true }
}

async function readAll (answer: ApiAnswer, maxBytes: number): Promise<Buffer | null> {
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of answer.body) {
    size += chunk.byteLength
    if (size > maxBytes) {
      answer.discard()
      return null
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

function statusLine (status: number): string {
  const reason = STATUS_CODES[status]
  return reason === undefined ? `HTTP ${status}` : `HTTP ${status} ${reason}`
}

/**
 * The tool result of an HTTP answer. 2xx JSON: the JSON as text (for clients that read
 * only content) and as structuredContent (wrapped as the output schema says); 2xx text:
 * text; 2xx binary: an embedded resource with the bytes (2025-11-25 server/tools §Embedded
 * Resources). Anything else is a tool execution error the model can read, with the status
 * and the error body (§Error Handling): never a JSON-RPC error, the call itself worked.
 */
export async function answerResult (answer: ApiAnswer, output: ToolOutput | undefined, maxBytes: number): Promise<CallToolResult> {
  const mediaType = (answer.contentType ?? '').split(';')[0].trim().toLowerCase()
  const kind = kindOf(mediaType)
  if (kind === 'stream') {
    answer.discard()
    return failure(`${statusLine(answer.status)}: the answer is a stream (${mediaType}), which a tool result cannot carry; call this operation over HTTP instead`)
  }
  const body = await readAll(answer, maxBytes)
  if (body === null) return failure(`${statusLine(answer.status)}: the answer is larger than ${maxBytes} bytes (maxAnswerBytes)`)
  const ok = answer.status >= 200 && answer.status < 300
  if (!ok) {
    const detail = kind === 'binary' ? `${body.byteLength} bytes of ${mediaType}` : body.toString('utf8')
    return failure(detail === '' ? statusLine(answer.status) : `${statusLine(answer.status)}: ${detail}`)
  }
  if (kind === 'binary') {
    return { content: [{ type: 'resource', resource: { uri: answer.url, mimeType: mediaType, blob: body.toString('base64') } }] }
  }
  const text = body.toString('utf8')
  if (text === '') return { content: [{ type: 'text', text: statusLine(answer.status) }] }
  const result: CallToolResult = { content: [{ type: 'text', text }] }
  // Fastify sends a string a handler returns as text/plain, whatever its schema says: a
  // text answer of a string schema is that string.
  if (kind === 'text' && output?.wrapped === true && (output.schema.properties as Record<string, JsonSchema>).result.type === 'string') {
    result.structuredContent = { result: text }
  }
  if (kind === 'json') {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return result
    }
    if (output?.wrapped === true) result.structuredContent = { result: value }
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) result.structuredContent = value as Record<string, unknown>
  }
  return result
}
