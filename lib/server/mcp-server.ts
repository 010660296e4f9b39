import type {
  JsonRpcNotification,
  JsonRpcRequest,
  McpServerContract,
  McpServerHost,
  NotificationContext,
  RequestContext,
  Result
} from '../../types/index.js'
import { ErrorCode, McpError } from '../protocol/jsonrpc.js'
import { negotiateVersion } from '../protocol/versions.js'
import { handlerContext, isLoggingLevel, type HandlerContext } from './server-context.js'
import { ToolRegistry, type ToolDefinition, type ToolHandler } from './tool-registry.js'

export interface McpServerOptions {
  name: string
  version: string
  title?: string
  /** Sent to the client in the initialize result: how to use this server. */
  instructions?: string
}

type MethodHandler = (params: Record<string, unknown>, context: HandlerContext) => Result | Promise<Result>

/**
 * The built-in MCP server. Register tools (resources, prompts and the rest use the same
 * method table), hand it to the plugin, and every session is served by this one instance.
 */
export class McpServer implements McpServerContract {
  readonly info: McpServerOptions
  private host: McpServerHost | null = null
  private readonly methods = new Map<string, MethodHandler>()
  private readonly tools: ToolRegistry

  constructor (options: McpServerOptions) {
    if (options === null || typeof options !== 'object' || typeof options.name !== 'string' || typeof options.version !== 'string') {
      throw new TypeError('createMcpServer({ name, version }) needs a name and a version string')
    }
    this.info = options
    this.tools = new ToolRegistry(() => this.listChanged('notifications/tools/list_changed'))
    this.methods.set('initialize', (params) => this.initialize(params))
    // 2025-11-25 utilities/ping: answer promptly with an empty result.
    this.methods.set('ping', () => ({}))
    this.methods.set('logging/setLevel', (params, context) => {
      if (!isLoggingLevel(params.level)) throw new McpError(ErrorCode.InvalidParams, `Invalid log level: ${String(params.level)}`)
      if (context.session !== undefined) context.session.logLevel = params.level
      return {}
    })
    this.methods.set('tools/list', () => this.tools.list())
    this.methods.set('tools/call', (params, context) => this.tools.call(params, context))
  }

  /** Registers a tool. After the server started, connected clients are told the list changed. */
  tool<A = any> (name: string, definition: ToolDefinition, handler: ToolHandler<A>): this {
    this.tools.add(name, definition, handler)
    return this
  }

  removeTool (name: string): boolean {
    return this.tools.remove(name)
  }

  /** Capabilities follow from what is registered, so they never promise what is absent. */
  capabilities (): Result {
    const capabilities: Result = { logging: {} }
    if (this.tools.size > 0) capabilities.tools = { listChanged: true }
    return capabilities
  }

  attach (host: McpServerHost): void {
    this.host = host
  }

  handleRequest (request: JsonRpcRequest, context: RequestContext): Result | Promise<Result> {
    const handler = this.methods.get(request.method)
    if (handler === undefined) throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${request.method}`)
    return handler(request.params ?? {}, handlerContext(context))
  }

  handleNotification (_notification: JsonRpcNotification, _context: NotificationContext): void {
    // notifications/initialized and roots/list_changed need no answer from this server.
  }

  private initialize (params: Record<string, unknown>): Result {
    const serverInfo: Result = { name: this.info.name, version: this.info.version }
    if (this.info.title !== undefined) serverInfo.title = this.info.title
    const result: Result = {
      protocolVersion: negotiateVersion(params.protocolVersion),
      capabilities: this.capabilities(),
      serverInfo
    }
    if (this.info.instructions !== undefined) result.instructions = this.info.instructions
    return result
  }

  private listChanged (method: string): void {
    this.host?.broadcast({ method })
  }
}

export function createMcpServer (options: McpServerOptions): McpServer {
  return new McpServer(options)
}
