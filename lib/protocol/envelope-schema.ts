import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'

// The JSON-RPC 2.0 envelope: what every POSTed message must look like before any MCP
// meaning is given to it. Members beyond these are allowed (clients add `_meta` etc.).
const Id = Type.Union([Type.String(), Type.Integer()])
// "Any object, not an array": an empty Object schema says it without the per-key walk a
// Record schema compiles to (Object.entries on every request's params).
const AnyObject = Type.Object({})

export const RequestOrNotification = Type.Object({
  jsonrpc: Type.Literal('2.0'),
  id: Type.Optional(Id),
  method: Type.String({ minLength: 1 }),
  params: Type.Optional(AnyObject)
})

export const ResultResponse = Type.Object({
  jsonrpc: Type.Literal('2.0'),
  id: Id,
  result: AnyObject
})

export const ErrorResponse = Type.Object({
  jsonrpc: Type.Literal('2.0'),
  id: Type.Optional(Type.Union([Id, Type.Null()])),
  error: Type.Object({
    code: Type.Integer(),
    message: Type.String(),
    data: Type.Optional(Type.Unknown())
  })
})

export const Message = Type.Union([RequestOrNotification, ResultResponse, ErrorResponse])
export const Envelope = Type.Union([Message, Type.Array(Message, { minItems: 1 })])

export type EnvelopeBody = Static<typeof Envelope>

/**
 * Fastify validator compiler backed by TypeBox's compiler: no type coercion (an id of "1"
 * stays a string) and a check that costs a few property reads on the hot path.
 */
export function typeboxValidatorCompiler ({ schema }: { schema: unknown }) {
  const check = TypeCompiler.Compile(schema as TSchema)
  return (value: unknown) => {
    // `true` keeps the parsed body as it is, without a result object per request.
    if (check.Check(value)) return true
    // A failed check always has a first error. The envelope is a union, so that error is
    // about the whole body: which branch was meant cannot be known.
    const first = check.Errors(value).First()!
    const error = new Error(first.message) as Error & { validation: unknown[] }
    error.validation = [first]
    return { error }
  }
}
