import type { LoggingLevel, RequestContext } from '../../types/index.js'

// RFC 5424 severities, least to most severe (2025-11-25 server/utilities/logging).
export const LOG_LEVELS: readonly LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']
const rank = new Map(LOG_LEVELS.map((level, i) => [level, i]))

export function isLoggingLevel (value: unknown): value is LoggingLevel {
  return typeof value === 'string' && rank.has(value as LoggingLevel)
}

/** What a tool, resource or prompt handler gets: the request context plus MCP helpers. */
export interface HandlerContext extends RequestContext {
  /**
   * Reports progress on this request's stream. Does nothing when the client sent no
   * progressToken (2025-11-25 progress: notifications only for requests that asked).
   */
  progress (progress: number, total?: number, message?: string): void
  /** Sends a log message to the client, filtered by the level the session set. */
  log (level: LoggingLevel, data: unknown, logger?: string): void
}

export function handlerContext (context: RequestContext): HandlerContext {
  let last = -Infinity
  return {
    ...context,
    progress (progress, total, message) {
      const token = context.progressToken
      // progress MUST increase; a repeat or step back is dropped rather than sent.
      if (token === undefined || progress <= last) return
      last = progress
      const params: Record<string, unknown> = { progressToken: token, progress }
      if (total !== undefined) params.total = total
      if (message !== undefined) params.message = message
      context.notify({ method: 'notifications/progress', params })
    },
    log (level, data, logger) {
      const threshold = context.session?.logLevel
      if (threshold !== undefined && rank.get(level)! < rank.get(threshold)!) return
      const params: Record<string, unknown> = { level, data }
      if (logger !== undefined) params.logger = logger
      context.notify({ method: 'notifications/message', params })
    }
  }
}
