import type { ApiToolOptions, ApiToolRule, OpenApiToolOptions, RouteToolOptions } from '../../types/index.js'
import { FST_MCP_INVALID_OPTION } from '../errors.js'
import { compileRule, type OperationFilter } from './operation-filter.js'

/** Default of `maxAnswerBytes`: as large as the transport's default bodyLimit. */
export const DEFAULT_MAX_ANSWER_BYTES = 4 * 1024 * 1024
/** Default of `timeout` (OpenAPI calls over HTTP). */
export const DEFAULT_OPENAPI_TIMEOUT = 30_000

export interface ResolvedApiToolOptions {
  filter: OperationFilter
  /** Lower case. */
  forwardHeaders: string[]
  maxAnswerBytes: number
}

export interface ResolvedRouteToolOptions extends ResolvedApiToolOptions {
  forwardToken: boolean
}

export interface ResolvedOpenApiToolOptions extends ResolvedApiToolOptions {
  baseUrl: string
  timeout: number
  headers: OpenApiToolOptions['headers']
  logger: OpenApiToolOptions['logger']
}

// RFC 9110 §5.6.2 token: what a header name may be.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

function invalid (name: string, value: unknown, expected: string): never {
  throw new FST_MCP_INVALID_OPTION(name, value instanceof RegExp ? String(value) : JSON.stringify(value), expected)
}

function isStringArray (value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

function rules (owner: string, name: 'include' | 'exclude', value: ApiToolRule | ApiToolRule[] | undefined): ApiToolRule[] | undefined {
  if (value === undefined) return undefined
  const list = Array.isArray(value) ? value : [value]
  list.forEach((rule, i) => {
    const at = `${owner}.${name}${Array.isArray(value) ? `[${i}]` : ''}`
    if (rule === null || typeof rule !== 'object') invalid(at, rule, 'a rule { methods?, url?, tags? }')
    if (rule.methods !== undefined && !isStringArray(rule.methods)) invalid(`${at}.methods`, rule.methods, 'an array of HTTP methods')
    if (rule.url !== undefined && typeof rule.url !== 'string' && !(rule.url instanceof RegExp)) invalid(`${at}.url`, rule.url, 'a URL pattern string (* for any characters) or a RegExp')
    if (rule.tags !== undefined && !isStringArray(rule.tags)) invalid(`${at}.tags`, rule.tags, 'an array of tag names')
  })
  return list
}

function isLogger (value: unknown): boolean {
  const logger = value as Record<string, unknown> | null
  return logger !== null && typeof logger === 'object' && ['debug', 'info', 'warn'].every((level) => typeof logger[level] === 'function')
}

function positiveInteger (name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || (value as number) < 1) invalid(name, value, 'a whole number of at least 1')
  return value as number
}

function common (owner: string, options: ApiToolOptions): ResolvedApiToolOptions {
  const include = rules(owner, 'include', options.include)
  const exclude = rules(owner, 'exclude', options.exclude) ?? []
  const forwardHeaders = options.forwardHeaders ?? []
  if (!isStringArray(forwardHeaders) || !forwardHeaders.every((name) => HEADER_NAME.test(name))) {
    invalid(`${owner}.forwardHeaders`, forwardHeaders, 'an array of header names')
  }
  return {
    filter: { include: include?.map(compileRule), exclude: exclude.map(compileRule) },
    forwardHeaders: forwardHeaders.map((name) => name.toLowerCase()),
    maxAnswerBytes: positiveInteger(`${owner}.maxAnswerBytes`, options.maxAnswerBytes, DEFAULT_MAX_ANSWER_BYTES)
  }
}

function optionsObject<T> (owner: string, options: T | undefined, required: boolean): T {
  if (options === undefined && !required) return {} as T
  if (options === null || typeof options !== 'object') invalid(owner, options, 'an options object')
  return options
}

export function resolveRouteToolOptions (options: RouteToolOptions | undefined): ResolvedRouteToolOptions {
  const owner = 'server.routes options'
  const given = optionsObject(owner, options, false)
  if (given.forwardToken !== undefined && typeof given.forwardToken !== 'boolean') invalid(`${owner}.forwardToken`, given.forwardToken, 'true or false')
  return { ...common(owner, given), forwardToken: given.forwardToken ?? false }
}

export function resolveOpenApiToolOptions (options: OpenApiToolOptions | undefined): ResolvedOpenApiToolOptions {
  const owner = 'server.openapi options'
  const given = optionsObject(owner, options, true)
  let base: URL | undefined
  try {
    base = new URL(given.baseUrl)
  } catch {}
  if (base === undefined || (base.protocol !== 'http:' && base.protocol !== 'https:') || base.search !== '' || base.hash !== '') {
    invalid(`${owner}.baseUrl`, given.baseUrl, 'an absolute http(s) URL without query or fragment, e.g. "http://127.0.0.1:3000/api"')
  }
  if (given.headers !== undefined && typeof given.headers !== 'function') invalid(`${owner}.headers`, typeof given.headers, 'a function (context) => headers')
  if (given.logger !== undefined && !isLogger(given.logger)) invalid(`${owner}.logger`, typeof given.logger, 'a pino-like logger with debug, info and warn')
  return {
    ...common(owner, given),
    // The operations' paths start with '/', appended to the base URL's own path.
    baseUrl: base.href.replace(/\/+$/, ''),
    timeout: positiveInteger(`${owner}.timeout`, given.timeout, DEFAULT_OPENAPI_TIMEOUT),
    headers: given.headers,
    logger: given.logger
  }
}
