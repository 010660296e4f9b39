// One round of a multi round-trip request (2026-07-28 basic/utilities/mrtr, SEP-2322). In
// the modern era a handler cannot send the client a request and wait: ctx.sample, ctx.elicit
// and ctx.listRoots look the answer up among the client's inputResponses (and the answers
// of earlier rounds, carried in the signed requestState). A missing answer stops the handler;
// the server then answers input_required with every request the handler asked for, and the
// client retries the same request with the answers. Handlers therefore run once per round,
// and must ask for their inputs in the same order each time (or name them with `key`).
import type { Result } from '../../types/index.js'
import { ErrorCode, McpError } from '../protocol/jsonrpc.js'
import type { RequestStateSigner } from '../modern/request-state.js'

// SEP-2322: only these requests may answer input_required.
export const MRTR_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read'])

/** Thrown through the handler when an input is missing; the server turns it into input_required. */
export class InputRequired extends McpError {
  constructor () {
    super(ErrorCode.InternalError, 'The handler needs input from the client (input_required)')
  }
}

interface InputRequest {
  method: string
  params?: Result
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

export class InputRound {
  private readonly responses: Record<string, unknown>
  private readonly used: Record<string, unknown> = {}
  private readonly missing: Record<string, InputRequest> = {}
  private readonly scope: string
  private calls = 0

  private constructor (scope: string, responses: Record<string, unknown>) {
    this.scope = scope
    this.responses = responses
  }

  /**
   * The round of a request: its inputResponses over the answers its requestState carries.
   * Invalid inputResponses or a requestState that fails verification is -32602.
   */
  static from (method: string, params: Record<string, unknown>, signer: RequestStateSigner): InputRound {
    const scope = `${method} ${String(params.name ?? params.uri)}`
    const given = params.inputResponses
    if (given !== undefined && !isPlainObject(given)) {
      throw new McpError(ErrorCode.InvalidParams, 'inputResponses must be an object of input responses by key')
    }
    let carried: Record<string, unknown> = {}
    const state = params.requestState
    if (state !== undefined) {
      const opened = typeof state === 'string' ? signer.open(state, scope) : null
      if (opened === null) throw new McpError(ErrorCode.InvalidParams, 'requestState is invalid: it failed verification, expired, or belongs to another request')
      carried = opened.responses
    }
    return new InputRound(scope, { ...carried, ...given })
  }

  /** The key of the next input request when the handler names none: method and call order. */
  nextKey (method: string): string {
    return `${method}#${this.calls++}`
  }

  /** The client's answer for `key`, or undefined after noting the request as missing. */
  answer (key: string, method: string, params: Result | undefined): Result | undefined {
    if (!(key in this.responses)) {
      this.missing[key] = params === undefined ? { method } : { method, params }
      return undefined
    }
    const answer = this.responses[key]
    if (!isPlainObject(answer)) throw new McpError(ErrorCode.InvalidParams, `inputResponses["${key}"] must be a result object`)
    this.used[key] = answer
    return answer
  }

  /** The input_required result for what the handler asked and did not get. */
  result (signer: RequestStateSigner): Result {
    return {
      resultType: 'input_required',
      inputRequests: this.missing,
      requestState: signer.seal({ scope: this.scope, responses: this.used })
    }
  }
}
