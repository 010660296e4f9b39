// The adapters entry point (`fastify-mcp-transport/adapters`), kept apart from the main one
// so that only applications that use the official SDK ever reference it.
export { fromSdkServer, SdkServerAdapter, type SdkServerAdapterOptions, type SdkServerFactory, type SdkServerLike } from './sdk-server.js'
export type { SdkAccessRules } from './access-table.js'
export { SdkSessionTransport } from './session-transport.js'
