import type { FastifyBaseLogger } from 'fastify'
import type { AuthInfo, McpSessionInfo, NotificationContext } from '../../types/index.js'
import { requestLogger } from './request-logger.js'

/**
 * The context of one client notification. A class, not an object literal with a getter:
 * the logger is made on first use without a closure per notification.
 */
export class ClientNotificationContext implements NotificationContext {
  readonly session: McpSessionInfo | undefined
  readonly authInfo: AuthInfo | undefined
  private readonly method: string
  private readonly log: FastifyBaseLogger
  private child: FastifyBaseLogger | null = null

  constructor (session: McpSessionInfo | undefined, method: string, log: FastifyBaseLogger, authInfo: AuthInfo | undefined) {
    this.session = session
    this.method = method
    this.log = log
    this.authInfo = authInfo
  }

  /** The notification's logger (see requestLogger), made on first use. */
  get logger (): FastifyBaseLogger {
    if (this.child === null) this.child = requestLogger(this.log, this.session?.id, undefined, this.method)
    return this.child
  }
}
