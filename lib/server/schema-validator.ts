import { Ajv, type ValidateFunction } from 'ajv'
import { Ajv2020 } from 'ajv/dist/2020.js'

// 2025-11-25 basic §JSON Schema Usage: schemas without `$schema` are JSON Schema 2020-12,
// and a schema may name another dialect. 2020-12 and draft-07 (what zod-to-json-schema and
// many existing servers emit) are compiled; anything else is refused at registration.
// strict: false because MCP schemas carry annotations Ajv does not know.
const AJV_OPTIONS = { strict: false, allErrors: true, validateFormats: false }
const DRAFT_2020_12 = /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/
const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/

const ajv2020 = new Ajv2020(AJV_OPTIONS)
let ajvDraft07: Ajv | null = null

export type Validator = (value: unknown) => string[] | null

function ajvFor (schema: object): Ajv {
  const dialect = (schema as { $schema?: unknown }).$schema
  if (dialect === undefined || (typeof dialect === 'string' && DRAFT_2020_12.test(dialect))) return ajv2020
  if (typeof dialect === 'string' && DRAFT_07.test(dialect)) return (ajvDraft07 ??= new Ajv(AJV_OPTIONS))
  throw new TypeError(`uses JSON Schema dialect ${JSON.stringify(dialect)}, which is not supported; use 2020-12 (MCP's default) or draft-07`)
}

/** Compiles a schema once, at registration. Throws a TypeError ("does not compile: …") for an invalid one. */
export function compileValidator (schema: object): Validator {
  const ajv = ajvFor(schema)
  let validate: ValidateFunction
  try {
    validate = ajv.compile(schema)
  } catch (err) {
    throw new TypeError(`does not compile: ${(err as Error).message}`)
  } finally {
    // The compiled function keeps what it needs. Forgetting the schema lets a tool be
    // removed and registered again with the same $id, and keeps removed tools collectable.
    ajv.removeSchema(schema)
  }
  return (value) => {
    if (validate(value)) return null
    // Ajv fills `errors` whenever validation fails, each with a message (messages are on by default).
    return validate.errors!.map((e) => `${e.instancePath === '' ? 'arguments' : `arguments${e.instancePath}`} ${e.message!}`)
  }
}
