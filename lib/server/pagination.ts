import { ErrorCode, McpError, type Result } from '../protocol/jsonrpc.js'

// 2025-11-25 server/utilities/pagination: list results come in pages when the server
// chooses; `nextCursor` is opaque to the client, and a cursor the server did not issue is
// -32602. Ours is the base64url of the next offset (a list that changed between pages may
// shift by the change, as the spec allows for).

function encode (offset: number): string {
  return Buffer.from(`o${offset}`).toString('base64url')
}

function invalid (cursor: unknown, why: string): McpError {
  return new McpError(ErrorCode.InvalidParams, `Invalid cursor: ${JSON.stringify(cursor)} ${why}; send the nextCursor of the previous page, or none for the first`)
}

function decode (cursor: unknown): number {
  if (typeof cursor === 'string') {
    const text = Buffer.from(cursor, 'base64url').toString()
    const offset = Number(text.slice(1))
    // Re-encoding must give the same cursor back: anything else was not issued here.
    if (text[0] === 'o' && Number.isSafeInteger(offset) && offset > 0 && encode(offset) === cursor) return offset
  }
  throw invalid(cursor, 'was not issued by this server')
}

/**
 * One page of `result[key]` for the request's `cursor`; the whole list when `pageSize` is
 * undefined (then any cursor is one this server never issued).
 */
export function page (result: Result, key: string, params: Record<string, unknown>, pageSize: number | undefined): Result {
  const cursor = params.cursor
  if (pageSize === undefined) {
    if (cursor !== undefined) throw invalid(cursor, 'was not issued by this server (it does not paginate)')
    return result
  }
  const items = result[key] as unknown[]
  const offset = cursor === undefined ? 0 : decode(cursor)
  if (offset > items.length) throw invalid(cursor, 'is past the end of the list')
  const end = offset + pageSize
  const out: Result = { ...result, [key]: items.slice(offset, end) }
  if (end < items.length) out.nextCursor = encode(end)
  return out
}
