import plugin from './plugin.js'

export default plugin
export { plugin as mcpTransport }
export { createMcpServer, McpServer } from './server/mcp-server.js'
export type * from './server/server-types.js'
export { McpError, ErrorCode } from './protocol/jsonrpc.js'
export { MemoryEventStore } from './streams/event-store.js'
export { LEGACY_VERSIONS, LATEST_LEGACY_VERSION } from './protocol/versions.js'
export * as errors from './errors.js'
export type * from '../types/index.js'
