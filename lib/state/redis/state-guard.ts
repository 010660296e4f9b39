import type { FastifyBaseLogger } from 'fastify'
import { FST_MCP_STATE_UNAVAILABLE } from '../../errors.js'

/**
 * Bounds every wait on Redis that a request depends on. A client keeps commands queued
 * while it reconnects, which would hang the request; past `timeout` ms (or on any error)
 * the request fails closed with 503, never falling back to what this instance alone knows.
 */
export class StateGuard {
  private readonly timeout: number
  private readonly log: FastifyBaseLogger

  constructor (timeout: number, log: FastifyBaseLogger) {
    this.timeout = timeout
    this.log = log
  }

  run<T> (work: Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.log.warn(`MCP Redis state did not answer within ${this.timeout} ms`)
        reject(new FST_MCP_STATE_UNAVAILABLE('Redis'))
      }, this.timeout)
      work.then((value) => {
        clearTimeout(timer)
        resolve(value)
      }, (err: unknown) => {
        clearTimeout(timer)
        this.log.warn({ err }, 'MCP Redis state command failed')
        reject(new FST_MCP_STATE_UNAVAILABLE('Redis'))
      })
    })
  }
}
