import type {
  AccessRule,
  JsonRpcNotification,
  JsonRpcRequest,
  McpServerContract,
  McpServerHost,
  McpSessionInfo,
  NotificationContext,
  OpenApiToolOptions,
  OutboundRequestOptions,
  RequestContext,
  Result,
  RouteToolOptions
} from '../../types/index.js'
import type { FastifyInstance } from 'fastify'
import type { Static, TSchema } from '@sinclair/typebox'
import { ErrorCode, McpError } from '../protocol/jsonrpc.js'
import { negotiateVersion, versionAtLeast } from '../protocol/versions.js'
import { TASKS_EXTENSION } from '../tasks/task-wire.js'
import { TaskCalls, type TaskDefaults } from './task-calls.js'
import { TaskMethods } from './task-methods.js'
import { ResultWaiters } from './task-binding.js'
import { complete } from './completion.js'
import { PromptRegistry, type PromptDefinition, type PromptHandler } from './prompt-registry.js'
import {
  ResourceRegistry,
  notFound,
  type ResourceDefinition,
  type ResourceReader,
  type ResourceTemplateDefinition,
  type ResourceTemplateReader
} from './resource-registry.js'
import { handlerContext, isLoggingLevel, type HandlerContext, type ServerHandlerContext } from './server-context.js'
import { ToolRegistry, type ToolDefinition, type ToolHandler } from './tool-registry.js'
import { DEFAULT_CACHE_SCOPE, DEFAULT_TTL_MS, modernResult, type CacheHints } from './modern-results.js'
import { SUPPORTED_VERSIONS } from '../modern/modern-request.js'
import { isModernVersion } from '../modern/era.js'
import { RequestStateSigner, type RequestStateKey } from '../modern/request-state.js'
import { InputRequired, InputRound, MRTR_METHODS } from './input-round.js'
import { checkParamHeaders } from './param-headers.js'
import { page } from './pagination.js'
import { addRouteTools } from '../api-tools/route-tools.js'
import { addOpenApiTools } from '../api-tools/openapi-tools.js'

/**
 * A JSON Schema that is not a TypeBox schema (TypeBox schemas carry a phantom `static`
 * type): a TypeBox `input` always takes the inferring overload of `tool`, so a handler that
 * disagrees with its schema is a type error instead of falling back to untyped arguments.
 */
type PlainJsonSchema = { readonly [keyword: string]: unknown, static?: never }

export interface McpServerOptions {
  name: string
  version: string
  title?: string
  /** Sent to the client in the initialize result: how to use this server. */
  instructions?: string
  /** Modern era (2026-07-28): caching hints on list/read and server/discover results. Default { ttlMs: 0, cacheScope: 'private' }. */
  cache?: CacheHints
  /**
   * Modern era: the HMAC key that signs the requestState of input_required results, or a
   * list of keys (the first signs, every one verifies: rotate by adding the new key first).
   * Give every instance behind one URL the same keys. Default: with a shared state
   * (`redisState`), one random key kept in Redis for the whole cluster; else 32 random
   * bytes per process.
   */
  requestStateKey?: RequestStateKey | RequestStateKey[]
  /** Milliseconds a requestState stays valid. Default 600000 (10 minutes). */
  requestStateTtl?: number
  /**
   * Items per page of tools/list, prompts/list, resources/list and resources/templates/list
   * (with `nextCursor` while there are more). Default: every item in one answer.
   */
  pageSize?: number
  /**
   * Tasks (tools registered with taskSupport 'optional' or 'required'): how long a task is
   * kept from its creation, and the polling interval suggested to clients. Default
   * { ttlMs: 3600000, pollIntervalMs: 1000 }.
   */
  tasks?: TaskDefaults
}

type Capability = 'tools' | 'resources' | 'prompts' | 'completions' | 'tasks'
type MethodHandler = (params: Record<string, unknown>, context: HandlerContext) => Result | Promise<Result>

interface Method {
  /** The capability the method belongs to: without it the method does not exist (-32601). */
  capability: Capability | null
  handle: MethodHandler
}

/**
 * The built-in MCP server. Register tools, resources and prompts, hand it to the plugin,
 * and every session is served by this one instance. Capabilities follow from what is
 * registered; list changes are announced to every session once the server is attached.
 */
export class McpServer implements McpServerContract {
  readonly info: McpServerOptions
  private host: McpServerHost | null = null
  private readonly methods = new Map<string, Method>()
  private readonly tools: ToolRegistry
  private readonly resources: ResourceRegistry
  private readonly prompts: PromptRegistry
  private readonly serverInfo: Result
  private readonly pageSize: number | undefined
  private readonly cache: Required<CacheHints>
  private signer: RequestStateSigner
  private readonly taskCalls: TaskCalls
  private readonly taskMethods: TaskMethods

  constructor (options: McpServerOptions) {
    if (options === null || typeof options !== 'object' || typeof options.name !== 'string' || typeof options.version !== 'string') {
      throw new TypeError('createMcpServer({ name, version }) needs a name and a version string')
    }
    this.info = options
    this.serverInfo = { name: options.name, version: options.version }
    if (options.title !== undefined) this.serverInfo.title = options.title
    this.signer = new RequestStateSigner(options.requestStateKey, options.requestStateTtl)
    if (options.pageSize !== undefined && (!Number.isSafeInteger(options.pageSize) || options.pageSize < 1)) {
      throw new TypeError(`createMcpServer: pageSize must be a whole number of at least 1, got ${String(options.pageSize)}`)
    }
    this.pageSize = options.pageSize
    this.cache = { ttlMs: options.cache?.ttlMs ?? DEFAULT_TTL_MS, cacheScope: options.cache?.cacheScope ?? DEFAULT_CACHE_SCOPE }
    this.tools = new ToolRegistry(() => this.listChanged('notifications/tools/list_changed'))
    this.resources = new ResourceRegistry(() => this.listChanged('notifications/resources/list_changed'))
    this.prompts = new PromptRegistry(() => this.listChanged('notifications/prompts/list_changed'))
    const waiters = new ResultWaiters()
    this.taskCalls = new TaskCalls(this.tools, waiters, options.tasks)
    this.taskMethods = new TaskMethods(waiters, options.pageSize)

    this.method('initialize', null, (params) => this.initialize(params))
    // 2026-07-28 server/discover: what a stateless client learns instead of initialize.
    this.method('server/discover', null, (_params, context) => this.discover(context))
    // 2025-11-25 utilities/ping: answer promptly with an empty result.
    this.method('ping', null, () => ({}))
    this.method('logging/setLevel', null, (params, context) => {
      if (!isLoggingLevel(params.level)) throw new McpError(ErrorCode.InvalidParams, `Invalid log level: ${String(params.level)}`)
      if (context.session !== undefined) context.session.logLevel = params.level
      return {}
    })
    // Lists leave out what the token may not use when the host says so (auth.listUnauthorized).
    this.method('tools/list', 'tools', (params, context) => page(this.tools.list(context.authInfo, this.host?.hideUnauthorized), 'tools', params, this.pageSize))
    // Without a task-capable tool, tools/call does no task work at all (hot path).
    this.method('tools/call', 'tools', (params, context) => this.tools.taskCapable === 0
      ? this.tools.call(params, context)
      : this.taskCalls.call(params, context as ServerHandlerContext, this.host))
    this.method('tasks/get', 'tasks', (params, context) => this.taskMethods.get(this.host!.tasks!, params, context))
    this.method('tasks/update', 'tasks', (params, context) => this.taskMethods.update(this.host!.tasks!, params, context))
    this.method('tasks/cancel', 'tasks', (params, context) => this.taskMethods.cancel(this.host!.tasks!, params, context))
    this.method('tasks/result', 'tasks', (params, context) => this.taskMethods.result(this.host!.tasks!, params, context))
    this.method('tasks/list', 'tasks', (params, context) => this.taskMethods.list(this.host!.tasks!, params, context))
    this.method('resources/list', 'resources', (params, context) => {
      const listed = this.resources.list(context, this.host?.hideUnauthorized)
      return listed instanceof Promise
        ? listed.then((result) => page(result, 'resources', params, this.pageSize))
        : page(listed, 'resources', params, this.pageSize)
    })
    this.method('resources/templates/list', 'resources', (params, context) => page(this.resources.listTemplates(context, this.host?.hideUnauthorized), 'resourceTemplates', params, this.pageSize))
    this.method('resources/read', 'resources', (params, context) => this.resources.read(params, context))
    this.method('resources/subscribe', 'resources', (params, context) => this.subscribe(params, context))
    this.method('resources/unsubscribe', 'resources', (params, context) => this.unsubscribe(params, context))
    this.method('prompts/list', 'prompts', (params, context) => page(this.prompts.list(context.authInfo, this.host?.hideUnauthorized), 'prompts', params, this.pageSize))
    this.method('prompts/get', 'prompts', (params, context) => this.prompts.get(params, context))
    this.method('completion/complete', 'completions', (params, context) => complete({
      prompt: (name, argument) => this.prompts.completer(name, argument),
      resource: (uri, argument) => this.resources.completer(uri, argument)
    }, params, context))
  }

  /**
   * Registers a tool. After the server started, connected clients are told the list changed.
   * With a TypeBox `input` the handler's arguments are typed from it; with plain JSON Schema
   * (or an explicit type argument) they are what the handler declares.
   */
  tool<S extends TSchema> (name: string, definition: ToolDefinition & { input: S }, handler: ToolHandler<Static<S>>): this
  tool<A = any> (name: string, definition: ToolDefinition & { input?: PlainJsonSchema }, handler: ToolHandler<A>): this
  tool (name: string, definition: ToolDefinition, handler: ToolHandler): this {
    this.tools.add(name, definition, handler)
    return this
  }

  /**
   * Makes the app's routes tools: those marked with `config.mcp`, or matched by
   * `options.include`/`exclude` (every route by default). Call it before declaring the
   * routes; they become tools when the app is ready. A call runs the route through
   * `app.inject`, so the app's hooks, validation, serialization and auth apply.
   */
  routes (app: FastifyInstance, options?: RouteToolOptions): this {
    addRouteTools(this.tools, app, options)
    return this
  }

  /**
   * Makes an OpenAPI 3.x document's operations tools that call `options.baseUrl` over
   * HTTP, mapped as routes are (names, schemas, filters, header forwarding, answers).
   */
  openapi (document: object, options: OpenApiToolOptions): this {
    addOpenApiTools(this.tools, document, options)
    return this
  }

  removeTool (name: string): boolean {
    return this.tools.remove(name)
  }

  /** Registers a resource with a fixed URI; `read` returns its text, bytes or full contents. */
  resource (name: string, uri: string, definition: ResourceDefinition, read: ResourceReader): this {
    this.resources.add(name, uri, definition, read)
    return this
  }

  removeResource (uri: string): boolean {
    return this.resources.remove(uri)
  }

  /**
   * Registers a resource template such as `file:///logs/{date}`: any URI it matches can be
   * read, and `read` gets the template's variables. `definition.complete` completes them.
   */
  resourceTemplate (name: string, uriTemplate: string, definition: ResourceTemplateDefinition, read: ResourceTemplateReader): this {
    this.resources.addTemplate(name, uriTemplate, definition, read)
    return this
  }

  removeResourceTemplate (uriTemplate: string): boolean {
    return this.resources.removeTemplate(uriTemplate)
  }

  /** Registers a prompt; its declared arguments are checked before `handler` runs. */
  prompt (name: string, definition: PromptDefinition, handler: PromptHandler): this {
    this.prompts.add(name, definition, handler)
    return this
  }

  removePrompt (name: string): boolean {
    return this.prompts.remove(name)
  }

  /**
   * Tells every session subscribed to `uri` that it changed (notifications/resources/updated
   * on each session's GET stream). Returns how many sessions were notified.
   */
  resourceUpdated (uri: string): number | Promise<number> {
    const host = this.host
    if (host === null) return 0
    const notification = { method: 'notifications/resources/updated', params: { uri } }
    // Modern listen streams that named this URI in resourceSubscriptions hear it too.
    const listening = host.publish?.(notification) ?? 0
    // The transport keeps subscriptions with the session (every instance sees them).
    const subscribed = host.notifySubscribers?.(uri, notification) ?? 0
    if (listening instanceof Promise || subscribed instanceof Promise) {
      return Promise.all([listening, subscribed]).then(([a, b]) => a + b)
    }
    return listening + subscribed
  }

  /**
   * Sends a request to one session's client outside any client request, on its GET stream
   * (e.g. roots/list when the client said its roots changed), and resolves with the answer.
   * Check `clientCapabilities` first: a client is only asked what it declared it supports.
   * Inside a handler use `ctx.request` (or sample/elicit/listRoots) instead: that travels on
   * the request's own stream.
   */
  request (sessionId: string, method: string, params?: Result, options?: OutboundRequestOptions): Promise<Result> {
    if (this.host === null) return Promise.reject(new McpError(ErrorCode.ConnectionClosed, `Cannot send ${method}: the server is not registered with the transport yet`))
    return this.host.request(sessionId, method, params, options)
  }

  /**
   * Capabilities follow from what is registered, so they never promise what is absent.
   * Tasks, per era: the 2026-07-28 extension (tasks.md §Capability Negotiation), or the
   * 2025-11-25 `tasks` capability (basic/utilities/tasks §Server Capabilities).
   */
  capabilities (protocolVersion?: string): Result {
    const capabilities: Result = { logging: {} }
    if (this.has('tools')) capabilities.tools = { listChanged: true }
    if (this.has('resources')) capabilities.resources = { subscribe: true, listChanged: true }
    if (this.has('prompts')) capabilities.prompts = { listChanged: true }
    if (this.has('completions')) capabilities.completions = {}
    if (protocolVersion !== undefined && this.has('tasks')) {
      if (isModernVersion(protocolVersion)) capabilities.extensions = { [TASKS_EXTENSION]: {} }
      else if (versionAtLeast(protocolVersion, '2025-11-25')) capabilities.tasks = { list: {}, cancel: {}, requests: { tools: { call: {} } } }
    }
    return capabilities
  }

  attach (host: McpServerHost): void {
    this.host = host
    // A cluster shares one key unless the application chose its own.
    if (host.requestStateKeys !== undefined && this.info.requestStateKey === undefined) {
      this.signer = new RequestStateSigner(host.requestStateKeys, this.info.requestStateTtl)
    }
  }

  handleRequest (request: JsonRpcRequest, context: RequestContext): Result | Promise<Result> {
    const method = this.methods.get(request.method)
    // A method of a capability the server does not have does not exist for the client.
    if (method === undefined || (method.capability !== null && !this.has(method.capability))) {
      throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${request.method}`)
    }
    const params = request.params ?? {}
    if (!isModernVersion(context.protocolVersion)) return method.handle(params, handlerContext(context))
    return this.handleModern(request.method, method, params, context)
  }

  /**
   * Modern era (2026-07-28): no session, so every result says which server answered it;
   * tools/call, prompts/get and resources/read may answer input_required (SEP-2322).
   */
  private async handleModern (name: string, method: Method, params: Record<string, unknown>, context: RequestContext): Promise<Result> {
    // The transport checked Mcp-Name against params.name, so a modern tools/call names its tool.
    const schema = name === 'tools/call' ? this.tools.inputSchema(params.name as string) : undefined
    if (schema !== undefined && context.httpHeaders !== undefined) checkParamHeaders(schema, params.arguments, context.httpHeaders)
    const round = MRTR_METHODS.has(name) ? InputRound.from(name, params, this.signer) : undefined
    let result: Result
    try {
      result = await method.handle(params, handlerContext(context, round))
    } catch (err) {
      if (!(err instanceof InputRequired) || round === undefined) throw err
      result = round.result(this.signer)
    }
    return modernResult(name, result, this.serverInfo, this.cache)
  }

  /** The rule of the tool, prompt, resource or template a request targets (checked by the transport before the handler). */
  accessRule (request: JsonRpcRequest): AccessRule | undefined {
    const params = request.params
    switch (request.method) {
      case 'tools/call': return this.tools.accessRule(params?.name)
      case 'prompts/get': return this.prompts.accessRule(params?.name)
      case 'resources/read':
      case 'resources/subscribe': return this.resources.accessRule(params?.uri)
      default: return undefined
    }
  }

  declaredScopes (): string[] {
    const scopes = new Set<string>()
    this.tools.collectScopes(scopes)
    this.prompts.collectScopes(scopes)
    this.resources.collectScopes(scopes)
    return [...scopes]
  }

  handleNotification (_notification: JsonRpcNotification, _context: NotificationContext): void {
    // notifications/initialized and roots/list_changed need no answer from this server.
  }

  private method (name: string, capability: Capability | null, handle: MethodHandler): void {
    this.methods.set(name, { capability, handle })
  }

  private has (capability: Capability): boolean {
    switch (capability) {
      case 'tools': return this.tools.size > 0
      case 'resources': return this.resources.size > 0
      case 'prompts': return this.prompts.size > 0
      case 'completions': return this.prompts.completes || this.resources.completes
      // Tasks need a task-capable tool and a transport that offers the task engine.
      case 'tasks': return this.tools.taskCapable > 0 && this.host?.tasks !== undefined
    }
  }

  private initialize (params: Record<string, unknown>): Result {
    const protocolVersion = negotiateVersion(params.protocolVersion)
    const result: Result = {
      protocolVersion,
      capabilities: this.capabilities(protocolVersion),
      serverInfo: { ...this.serverInfo }
    }
    if (this.info.instructions !== undefined) result.instructions = this.info.instructions
    return result
  }

  private discover (context: HandlerContext): Result {
    // A legacy session learned all this from initialize; the method is modern-only.
    if (!isModernVersion(context.protocolVersion)) throw new McpError(ErrorCode.MethodNotFound, 'Method not found: server/discover')
    const result: Result = { supportedVersions: SUPPORTED_VERSIONS, capabilities: this.capabilities(context.protocolVersion) }
    if (this.info.instructions !== undefined) result.instructions = this.info.instructions
    return result
  }

  private subscribe (params: Record<string, unknown>, context: HandlerContext): Result {
    const uri = subscriptionUri(params, context)
    // Only what resources/read would find can be watched; anything else is not found.
    if (!this.resources.has(uri)) throw notFound(uri, context.protocolVersion)
    this.host?.subscribe?.(context.session!.id, uri)
    return {}
  }

  private unsubscribe (params: Record<string, unknown>, context: HandlerContext): Result {
    const uri = subscriptionUri(params, context)
    this.host?.unsubscribe?.(context.session!.id, uri)
    return {}
  }

  private listChanged (method: string): void {
    const sent = this.host?.broadcast({ method })
    // With a shared state the broadcast is a promise; a failure was logged by the state,
    // and nobody here waits for it.
    if (sent instanceof Promise) sent.catch(() => {})
  }
}

function subscriptionUri (params: Record<string, unknown>, context: HandlerContext): string {
  if (typeof params.uri !== 'string') throw new McpError(ErrorCode.InvalidParams, `${context.method} needs a uri string`)
  // Updates travel on the session's GET stream; without a session there is none to use.
  if (context.session === undefined) throw new McpError(ErrorCode.InvalidRequest, `${context.method} needs a session (initialize first)`)
  return params.uri
}

export function createMcpServer (options: McpServerOptions): McpServer {
  return new McpServer(options)
}
