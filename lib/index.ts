import plugin from './plugin.js'

export default plugin
export { plugin as mcpTransport }
export { createMcpServer, McpServer } from './server/mcp-server.js'
export type * from './server/server-types.js'
export { McpError, ErrorCode } from './protocol/jsonrpc.js'
export { MemoryEventStore } from './state/memory/memory-event-store.js'
export { MemoryTaskStore } from './state/memory/memory-task-store.js'
export { MemoryTaskSignals } from './state/memory/memory-task-signals.js'
export { TaskCapacityError, TaskCursorError } from './state/task-store.js'
export { LEGACY_VERSIONS, LATEST_LEGACY_VERSION } from './protocol/versions.js'
export * as errors from './errors.js'
export type * from '../types/index.js'
export { redisState } from './state/redis/redis-state.js'
export type { RedisStateOptions } from './state/redis/redis-state.js'
export type { RedisClient, RedisSubscriber } from './state/redis/redis-client.js'
export { memoryState } from './state/memory/memory-state.js'
