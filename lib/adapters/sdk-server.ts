// Serves MCP servers written with the official SDK (@modelcontextprotocol/sdk, `McpServer`
// or `Server`) over this plugin. The SDK is an optional peer dependency: only types are
// imported here, so an application that never uses the adapter never loads the SDK.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import type {
  AccessRule,
  JsonRpcNotification,
  JsonRpcRequest,
  McpServerContract,
  McpServerHost,
  McpSessionInfo,
  NotificationContext,
  RequestContext,
  Result
} from '../../types/index.js'
import { SdkSessionTransport } from './session-transport.js'
import { SdkAccessTable, type SdkAccessRules } from './access-table.js'

export interface SdkServerAdapterOptions {
  /**
   * Scopes (and predicates) the tools, prompts and resources of the SDK server need, with
   * the plugin's `auth` option: checked before the SDK sees a call, and used to hide what a
   * token may not use from the lists. Default none.
   */
  access?: SdkAccessRules
}

/** What the adapter needs of an SDK server: `McpServer` and `Server` both have it. */
export interface SdkServerLike {
  connect (transport: Transport): Promise<void>
  close (): Promise<void>
}

/**
 * Builds the SDK server of one session. Called once per session, on its first message
 * (initialize); `session` is undefined for a request that belongs to no session.
 */
export type SdkServerFactory = (session: McpSessionInfo | undefined) => SdkServerLike | Promise<SdkServerLike>

interface Connection {
  server: SdkServerLike
  transport: SdkSessionTransport
}

// The id of the initialize an SDK server is given for a session it did not see begin: a
// string no client id in this session can equal, since it is never sent to the client.
const HANDSHAKE_ID = 'fastify-mcp-transport:handshake'

/**
 * An McpServerContract that runs one SDK server per session, each connected to its own
 * SdkSessionTransport. Requests, notifications and the SDK's answers are routed through it.
 */
export class SdkServerAdapter implements McpServerContract {
  private readonly factory: SdkServerFactory
  private readonly connections = new Map<string, Promise<Connection>>()
  private host: McpServerHost | null = null
  private readonly access: SdkAccessTable | null

  constructor (factory: SdkServerFactory, options: SdkServerAdapterOptions = {}) {
    if (typeof factory !== 'function') {
      throw new TypeError('fromSdkServer(factory) needs a function that returns a new SDK McpServer or Server for each session')
    }
    this.factory = factory
    this.access = options.access === undefined ? null : new SdkAccessTable(options.access)
  }

  accessRule (request: JsonRpcRequest): AccessRule | undefined {
    return this.access?.ruleOf(request)
  }

  declaredScopes (): string[] {
    return this.access?.scopes() ?? []
  }

  /** Sessions with a live SDK server. */
  get size (): number {
    return this.connections.size
  }

  attach (host: McpServerHost): void {
    this.host = host
  }

  async handleRequest (request: JsonRpcRequest, context: RequestContext): Promise<Result> {
    const result = await this.forward(request, context)
    // The SDK lists everything it has; what the token may not use is taken out here.
    const auth = context.authInfo
    if (this.access === null || auth === undefined || this.host?.hideUnauthorized !== true) return result
    return this.access.filter(request.method, result, auth)
  }

  private async forward (request: JsonRpcRequest, context: RequestContext): Promise<Result> {
    const session = context.session
    if (session !== undefined) {
      // A session with a recorded handshake whose first request here is not initialize began
      // elsewhere: its new SDK server is given that handshake first.
      const begunElsewhere = request.method !== 'initialize' && session.clientInfo !== undefined
      const connection = await this.connectionOf(session, begunElsewhere ? context : undefined)
      return connection.transport.request(request, context)
    }
    // No session (a stateless request): a server for this one request, closed after it.
    const connection = await this.connect(undefined)
    try {
      return await connection.transport.request(request, context)
    } finally {
      await closeConnection(connection)
    }
  }

  async handleNotification (notification: JsonRpcNotification, context: NotificationContext): Promise<void> {
    const pending = context.session === undefined ? undefined : this.connections.get(context.session.id)
    if (pending === undefined) return
    ;(await pending).transport.receive(notification)
  }

  sessionClosed (session: McpSessionInfo): void {
    const pending = this.connections.get(session.id)
    if (pending === undefined) return
    this.connections.delete(session.id)
    // A factory still running when the session ends is closed as soon as it is done.
    pending.then(closeConnection, () => {})
  }

  /**
   * The session's SDK server, built on its first request here. `resumed`: the session
   * began elsewhere (on another instance, with a shared state, or before a factory that
   * failed); its SDK server is then handed the handshake the record kept, and knows the
   * client's version, capabilities and info as the first one did.
   */
  private connectionOf (session: McpSessionInfo, resumed: RequestContext | undefined): Promise<Connection> {
    let pending = this.connections.get(session.id)
    if (pending === undefined) {
      pending = this.connect(session)
      if (resumed !== undefined) pending = pending.then((connection) => replayHandshake(connection, session, resumed))
      this.connections.set(session.id, pending)
      // A factory that failed is retried on the session's next request.
      pending.catch(() => {
        if (this.connections.get(session.id) === pending) this.connections.delete(session.id)
      })
    }
    return pending
  }

  private async connect (session: McpSessionInfo | undefined): Promise<Connection> {
    const server = await this.factory(session)
    const transport = new SdkSessionTransport(session?.id, () => this.host)
    await server.connect(transport)
    return { server, transport }
  }
}

async function replayHandshake (connection: Connection, session: McpSessionInfo, context: RequestContext): Promise<Connection> {
  const { transport } = connection
  try {
    await transport.request({
      jsonrpc: '2.0',
      id: HANDSHAKE_ID,
      method: 'initialize',
      params: { protocolVersion: session.protocolVersion, capabilities: session.clientCapabilities, clientInfo: session.clientInfo }
    }, context)
  } catch (err) {
    // Refused, or its request was cancelled: this server is dropped (the next request of the
    // session builds another), so it must not stay connected.
    await closeConnection(connection)
    throw err
  }
  transport.receive({ jsonrpc: '2.0', method: 'notifications/initialized' })
  return connection
}

async function closeConnection (connection: Connection): Promise<void> {
  try {
    await connection.server.close()
  } catch {
    // Closing is best effort: the session is gone either way.
  }
}

/**
 * Adapts servers built with the official SDK to this plugin:
 * `app.register(mcpTransport, { server: fromSdkServer(() => buildMySdkServer()) })`, with
 * `{ access: { tools: { delete_repo: { scopes: ['repo:admin'] } } } }` for per-item scopes.
 */
export function fromSdkServer (factory: SdkServerFactory, options?: SdkServerAdapterOptions): SdkServerAdapter {
  return new SdkServerAdapter(factory, options)
}
