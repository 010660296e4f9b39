import type { OpenApiToolOptions } from '../../types/index.js'
import type { CallToolResult } from '../server/tool-registry.js'
import { resolveOpenApiToolOptions } from './api-tool-options.js'
import { addOperationTools, type OperationCaller, type ToolSink } from './api-tools.js'
import { answerResult } from './answer-mapping.js'
import { forwardedHeaders } from './forwarded-headers.js'
import { describeOperation } from './operation.js'
import { openApiOperations } from './openapi-document.js'

function failure (text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true }
}

/**
 * `server.openapi(document, options)`: an OpenAPI 3.x document's operations become tools
 * that call `baseUrl` over HTTP (Node's fetch, which is undici), mapped exactly as Fastify
 * routes are: same names, schemas, filters, header forwarding and answers. The verified
 * token is never sent: that would be token passthrough to another service (2025-11-25
 * authorization §Token Passthrough); `options.headers` supplies the API's own credentials.
 */
export function addOpenApiTools (sink: ToolSink, document: unknown, options: OpenApiToolOptions): void {
  const resolved = resolveOpenApiToolOptions(options)
  const { baseUrl, timeout, forwardHeaders, maxAnswerBytes, logger } = resolved
  const extraHeaders = resolved.headers
  const { operations, unusable } = openApiOperations(document)
  for (const { method, path, reason } of unusable) logger?.info(`MCP OpenAPI tools: ${method} ${path} is not a tool: ${reason}`)

  const call: OperationCaller = async (operation, parts, output, context) => {
    const headers: Record<string, string> = { ...parts.headers, ...forwardedHeaders(forwardHeaders, context, false) }
    if (extraHeaders !== undefined) Object.assign(headers, await extraHeaders(context))
    let body: string | undefined
    if (parts.body !== undefined) {
      body = JSON.stringify(parts.body)
      headers['content-type'] = 'application/json'
    }
    const url = baseUrl + parts.url
    // One controller for the whole call, body included: the client's cancellation and the
    // timeout both stop it, and the timer is cleared however the call ends.
    const controller = new AbortController()
    const cancelled = (): void => controller.abort()
    const signal = context.signal
    signal.addEventListener('abort', cancelled, { once: true })
    const timer = setTimeout(() => controller.abort(), timeout)
    timer.unref()
    const attempt = async (): Promise<CallToolResult> => {
      const response = await fetch(url, { method: operation.method, headers, body, signal: controller.signal, redirect: 'manual' })
      const stream = response.body
      return answerResult({
        status: response.status,
        contentType: response.headers.get('content-type') ?? undefined,
        // No body (204, HEAD) reads as empty.
        body: stream ?? [],
        // Rejects when the stream is being read: leaving the for-await cancels it then.
        discard: () => { void stream?.cancel().catch(() => {}) },
        url
      }, output, maxAnswerBytes)
    }
    const result = await attempt().catch((err: unknown) => {
      if (controller.signal.aborted && !signal.aborted) return failure(`${describeOperation(operation)} did not answer within ${timeout} ms (timeout)`)
      // fetch rejects with 'fetch failed' and the reason (ECONNREFUSED…) as its cause.
      const code = (err as { cause?: { code?: string } }).cause?.code
      return failure(`${describeOperation(operation)} could not be called at ${url}: ${code ?? (err as Error).message}`)
    })
    clearTimeout(timer)
    signal.removeEventListener('abort', cancelled)
    return result
  }

  addOperationTools({
    sink,
    filter: resolved.filter,
    fixedHeaders: new Set(forwardHeaders),
    call,
    skipped: (operation, reason, level) => {
      logger?.[level](`MCP OpenAPI tools: ${describeOperation(operation)} is not a tool: ${reason}`)
    }
  }, operations)
}
