// The targets the bench compares, and any it cannot run here (LEFT_OUT, named in the report).
import { fileURLToPath } from 'node:url'

/** 'variant': ours with another configuration, measured next to 'ours' in every run. */
export type TargetKind = 'ours' | 'limit' | 'sdk' | 'variant'

export interface TargetInfo {
  id: string
  label: string
  kind: TargetKind
  /** Compiled entry point (dist/bench/...). */
  script: string
  /** Runs against a Redis: the runner gives it REDIS_URL (its own redis-server unless set). */
  redis?: boolean
  /** Extra environment for the target process. */
  env?: Record<string, string>
  /** The workloads it runs (default: every workload that applies to its kind). */
  workloads?: readonly string[]
}

/** Whether `workload` runs against `target`: the workload's own rule, then the target's list. */
export function runsOn (workload: { id: string, appliesTo: (info: TargetInfo) => boolean }, target: TargetInfo): boolean {
  return workload.appliesTo(target) && (target.workloads === undefined || target.workloads.includes(workload.id))
}

function script (relative: string): string {
  return fileURLToPath(new URL(relative, import.meta.url))
}

export const TARGETS: readonly TargetInfo[] = [
  { id: 'plugin', label: 'fastify-mcp-transport (ours)', kind: 'ours', script: script('../server.js') },
  // Issue 11: the same server with every piece of shared state in Redis, on the request
  // workloads (the goal: call ≥ 0.6× the same plugin in memory).
  { id: 'plugin-redis', label: 'fastify-mcp-transport, Redis state', kind: 'variant', script: script('../server.js'), redis: true, workloads: ['call', 'init', 'progress'] },
  // Issue 16: per-call rate limits on, under a limit never reached: what counting costs.
  { id: 'plugin-limited', label: 'fastify-mcp-transport, rateLimit on every call (never reached)', kind: 'variant', script: script('../targets/plugin-rate-limited.js'), workloads: ['call'] },
  { id: 'bare', label: 'bare Fastify JSON-RPC (the limit)', kind: 'limit', script: script('../targets/bare-fastify.js') },
  { id: 'sdk-node', label: 'SDK 1.x StreamableHTTPServerTransport on node:http', kind: 'sdk', script: script('../targets/sdk-node.js') },
  { id: 'sdk-fastify', label: 'SDK 1.x transport inside Fastify (reply.hijack)', kind: 'sdk', script: script('../targets/sdk-fastify.js') },
  { id: 'sdk2-fastify', label: 'SDK 2.x `@modelcontextprotocol/fastify` (createMcpFastifyApp + NodeStreamableHTTPServerTransport)', kind: 'sdk', script: script('../targets/sdk2-fastify.js') }
]

export const LEFT_OUT: ReadonlyArray<{ label: string, reason: string }> = []
