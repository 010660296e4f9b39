// The targets the bench compares, and the one it cannot run here.
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
  { id: 'sdk-fastify', label: 'SDK 1.x transport inside Fastify (reply.hijack)', kind: 'sdk', script: script('../targets/sdk-fastify.js') }
]

export const LEFT_OUT: ReadonlyArray<{ label: string, reason: string }> = [
  { label: 'SDK v2 `@modelcontextprotocol/fastify`', reason: 'not installed in this repository, and installing packages was not allowed for this run' }
]
