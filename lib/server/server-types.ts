// The types a server author writes against, gathered for the package entry point.
export type { McpServerOptions } from './mcp-server.js'
export type { CacheHints, CacheScope } from './modern-results.js'
export type { HandlerContext } from './server-context.js'
export type { CallToolResult, TaskSupport, ToolDefinition, ToolHandler } from './tool-registry.js'
export type { TaskDefaults } from './task-calls.js'
export type {
  ListedResource,
  ResourceContents,
  ResourceDefinition,
  ResourceReadResult,
  ResourceReader,
  ResourceTemplateDefinition,
  ResourceTemplateReader
} from './resource-registry.js'
export type { TemplateVariables } from './uri-template.js'
export type { GetPromptResult, PromptArgument, PromptDefinition, PromptHandler, PromptMessage } from './prompt-registry.js'
export type { Completer } from './completion.js'
export type {
  ClientRequestOptions,
  CreateMessageParams,
  CreateMessageResult,
  ElicitParams,
  ElicitResult,
  ListRootsResult,
  Root,
  SamplingMessage
} from './client-requests.js'
