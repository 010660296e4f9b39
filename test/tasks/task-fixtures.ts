// A server with one tool per task behaviour, for the tests under test/tasks.
import { createMcpServer, McpError, type HandlerContext, type McpServer } from '../../lib/index.js'

export const TASKS = { elicitation: {}, roots: {}, extensions: { 'io.modelcontextprotocol/tasks': {} } }

/** Resolves after ms, or when the signal aborts. */
export function sleep (ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
  })
}

export function taskServer (options: { ttlMs?: number, pollIntervalMs?: number } = {}): McpServer {
  const server = createMcpServer({ name: 'tasks', version: '1.0.0', tasks: options, pageSize: 2 })
  server.tool('plain', { description: 'Never a task' }, () => 'plain result')
  server.tool('slow', { description: 'Waits ms, or until cancelled', input: { type: 'object', properties: { ms: { type: 'number' } } }, taskSupport: 'optional' },
    async ({ ms = 10 }: { ms?: number }, ctx: HandlerContext) => {
      await ctx.setStatusMessage(`sleeping ${ms} ms`)
      await sleep(ms, ctx.signal)
      return ctx.signal.aborted ? 'stopped' : `slept ${ms} ms in ${ctx.taskId === undefined ? 'a request' : 'a task'}`
    })
  server.tool('needs_task', { description: 'Only as a task', taskSupport: 'required' }, (_args, ctx) => `task ${String(ctx.taskId)}`)
  server.tool('asks', { description: 'Asks once, then answers', taskSupport: 'optional' }, async (_args, ctx) => {
    const answer = await ctx.elicit({ message: 'Sure?', requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } }, { key: 'confirm' })
    return `answer: ${answer.action}`
  })
  server.tool('asks_twice', { description: 'Asks twice with default keys', taskSupport: 'optional' }, async (_args, ctx) => {
    const first = await ctx.listRoots()
    const second = await ctx.listRoots()
    return `${first.roots.length}+${second.roots.length}`
  })
  server.tool('broken', { description: 'Fails with a JSON-RPC error', taskSupport: 'optional' }, () => { throw new McpError(-32603, 'broken on purpose') })
  server.tool('tool_error', { description: 'A tool execution error', taskSupport: 'optional' }, () => { throw new Error('tool says no') })
  server.tool('chatty', { description: 'Logs, reports progress and sends a raw request', taskSupport: 'optional' }, async (_args, ctx) => {
    ctx.log('info', 'hello')
    ctx.progress(1, 2)
    ctx.notify({ method: 'notifications/message', params: { level: 'info', data: 'direct' } })
    const closed = ctx.closeStream()
    try {
      await ctx.request('ping')
      return 'request sent'
    } catch (err) {
      return `closed=${String(closed)} request: ${(err as Error).message}`
    }
  })
  server.tool('staged', {
    description: 'Asks first (MRTR), then runs as a task',
    input: { type: 'object', properties: { skip: { type: 'boolean' } } },
    taskSupport: 'required',
    taskStart: 'handler'
  }, async ({ skip }: { skip?: boolean }, ctx: HandlerContext) => {
    const answer = await ctx.elicit({ message: 'Name?' }, { key: 'user_name' })
    if (skip === true) return `direct for ${String(answer.content?.name)}`
    await ctx.startTask()
    await ctx.startTask()
    const more = await ctx.elicit({ message: 'More?' }, { key: 'more' })
    return `task ${ctx.taskId === undefined ? 'no' : 'yes'} for ${String(answer.content?.name)}, ${more.action}`
  })
  server.tool('staged_optional', { description: 'startTask where the call cannot be a task', taskSupport: 'optional', taskStart: 'handler' },
    async (_args, ctx) => {
      await ctx.startTask()
      return `still ${ctx.taskId === undefined ? 'a request' : 'a task'}`
    })
  return server
}
