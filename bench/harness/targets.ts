// The targets the bench compares, and any it cannot run here (LEFT_OUT, named in the report).
import { fileURLToPath } from 'node:url'

export type TargetKind = 'ours' | 'limit' | 'sdk'

export interface TargetInfo {
  id: string
  label: string
  kind: TargetKind
  /** Compiled entry point (dist/bench/...). */
  script: string
}

function script (relative: string): string {
  return fileURLToPath(new URL(relative, import.meta.url))
}

export const TARGETS: readonly TargetInfo[] = [
  { id: 'plugin', label: 'fastify-mcp-transport (ours)', kind: 'ours', script: script('../server.js') },
  { id: 'bare', label: 'bare Fastify JSON-RPC (the limit)', kind: 'limit', script: script('../targets/bare-fastify.js') },
  { id: 'sdk-node', label: 'SDK 1.x StreamableHTTPServerTransport on node:http', kind: 'sdk', script: script('../targets/sdk-node.js') },
  { id: 'sdk-fastify', label: 'SDK 1.x transport inside Fastify (reply.hijack)', kind: 'sdk', script: script('../targets/sdk-fastify.js') },
  { id: 'sdk2-fastify', label: 'SDK 2.x `@modelcontextprotocol/fastify` (createMcpFastifyApp + NodeStreamableHTTPServerTransport)', kind: 'sdk', script: script('../targets/sdk2-fastify.js') }
]

export const LEFT_OUT: ReadonlyArray<{ label: string, reason: string }> = []
