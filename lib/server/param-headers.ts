// SEP-2243 custom headers (2026-07-28 transports §Server Behavior for Custom Headers): a
// tool parameter annotated `x-mcp-header: Name` is mirrored by the client in an
// `Mcp-Param-Name` header, so intermediaries can route on it without reading the body. The
// server MUST reject a header that is missing, undecodable or disagrees with the body
// (400 + -32020 HeaderMismatch).
import type { IncomingHttpHeaders } from 'node:http'
import { McpError } from '../protocol/jsonrpc.js'
import { ModernErrorCode } from '../modern/era.js'
import { decodeHeaderValue } from '../modern/modern-request.js'

function mismatch (message: string): McpError {
  return new McpError(ModernErrorCode.HeaderMismatch, message)
}

// §Value Encoding: numbers compare numerically, booleans as true/false, strings exactly.
function sameValue (header: string, value: unknown): boolean {
  if (typeof value === 'number') return header.trim() !== '' && Number(header) === value
  if (typeof value === 'boolean') return header === String(value)
  return header === value
}

/** Checks the Mcp-Param-* headers of a tools/call against its arguments and the tool's input schema. */
export function checkParamHeaders (inputSchema: Record<string, unknown>, args: unknown, headers: IncomingHttpHeaders): void {
  const properties = inputSchema.properties
  if (properties === null || typeof properties !== 'object') return
  const values = (args !== null && typeof args === 'object' ? args : {}) as Record<string, unknown>
  for (const [param, schema] of Object.entries(properties as Record<string, Record<string, unknown> | null>)) {
    const name = schema?.['x-mcp-header']
    if (typeof name !== 'string') continue
    const raw = headers[`mcp-param-${name.toLowerCase()}`]
    const header = Array.isArray(raw) ? raw.join(', ') : raw
    const value = values[param]
    if (value === undefined || value === null) {
      if (header !== undefined) throw mismatch(`Mcp-Param-${name} is sent but arguments.${param} is absent`)
      continue
    }
    if (header === undefined) throw mismatch(`Mcp-Param-${name} is required: arguments.${param} has a value`)
    const decoded = decodeHeaderValue(header)
    if (decoded === null) throw mismatch(`Mcp-Param-${name} is not valid =?base64?…?= encoding`)
    if (!sameValue(decoded, value)) throw mismatch(`Mcp-Param-${name} differs from arguments.${param}`)
  }
}
