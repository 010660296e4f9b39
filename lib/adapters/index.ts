// The adapters entry point (`fastify-mcp-transport/adapters`), kept apart from the main one
// so that only applications that use the official SDK ever reference it.
export { fromSdkServer, SdkServerAdapter, type SdkServerFactory, type SdkServerLike } from './sdk-server.js'
export { SdkSessionTransport } from './session-transport.js'
