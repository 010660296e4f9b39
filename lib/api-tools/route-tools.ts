import type { FastifyInstance, RouteOptions } from 'fastify'
import type { RouteToolOptions } from '../../types/index.js'
import { resolveRouteToolOptions } from './api-tool-options.js'
import { addOperationTools, type OperationCaller, type ToolSink } from './api-tools.js'
import { answerResult } from './answer-mapping.js'
import { forwardedHeaders } from './forwarded-headers.js'
import { describeOperation, type ApiOperation } from './operation.js'
import { routeOperations } from './route-operations.js'
import type { JsonSchema } from './operation.js'
import { isTransportRoute } from './transport-routes.js'

// Methods whose routes can be tools. HEAD answers carry no body and OPTIONS describes the
// route rather than doing its work; Fastify adds a HEAD route to every GET by itself.
const TOOL_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])

interface DeclaredRoute {
  route: RouteOptions
  /** The context that declared it: its shared schemas (addSchema) resolve the route's $refs. */
  instance: FastifyInstance
}

/**
 * `server.routes(app, options)`: the app's routes become tools. Routes are collected by an
 * onRoute hook as they are declared (so call this before declaring them, like
 * @fastify/swagger; plugins registered later count too) and become tools when the app is
 * ready: by then every shared schema is added, and the plugin has marked its own routes.
 * A call runs the route through app.inject: hooks, validation, serialization and auth
 * checks all apply, as for a request from outside.
 */
export function addRouteTools (sink: ToolSink, app: FastifyInstance, options: RouteToolOptions | undefined): void {
  const resolved = resolveRouteToolOptions(options)
  const declared: DeclaredRoute[] = []
  const fixedHeaders = new Set(resolved.forwardHeaders)
  if (resolved.forwardToken) fixedHeaders.add('authorization')
  const { forwardHeaders, forwardToken, maxAnswerBytes } = resolved

  const call: OperationCaller = async (operation, parts, output, context) => {
    const headers = { ...parts.headers, ...forwardedHeaders(forwardHeaders, context, forwardToken) }
    let payload: string | undefined
    if (parts.body !== undefined) {
      payload = JSON.stringify(parts.body)
      headers['content-type'] = 'application/json'
    }
    let response
    try {
      // payloadAsStream: the answer is read as it comes, so a stream is noticed at its
      // headers and a huge answer stops at maxAnswerBytes instead of filling memory.
      response = await app.inject({ method: operation.method as 'GET', url: parts.url, headers, payload, payloadAsStream: true, signal: context.signal })
    } catch (err) {
      context.logger.debug({ err, route: describeOperation(operation) }, 'MCP route tool: the route could not be called')
      return { content: [{ type: 'text', text: `${describeOperation(operation)} could not be called: ${(err as Error).message}` }], isError: true }
    }
    const stream = response.stream()
    return answerResult({
      status: response.statusCode,
      contentType: response.headers['content-type'] as string | undefined,
      body: stream,
      discard: () => stream.destroy(),
      url: `http://localhost${parts.url}`
    }, output, maxAnswerBytes)
  }

  app.addHook('onRoute', function collectRoute (route) {
    declared.push({ route, instance: this })
  })
  app.addHook('onReady', async function registerRouteTools () {
    const operations: ApiOperation[] = []
    for (const { route, instance } of declared.splice(0)) {
      if (isTransportRoute(route)) continue
      const schemas = instance.getSchemas() as Record<string, JsonSchema>
      for (const operation of routeOperations(route, (id) => schemas[id])) {
        if (TOOL_METHODS.has(operation.method)) operations.push(operation)
      }
    }
    addOperationTools({
      sink,
      filter: resolved.filter,
      fixedHeaders,
      call,
      skipped: (operation, reason, level) => {
        app.log[level](`MCP route tools: ${describeOperation(operation)} is not a tool: ${reason}`)
      }
    }, operations)
  })
}
