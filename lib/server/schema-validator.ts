import { Ajv2020 } from 'ajv/dist/2020.js'

// One Ajv (JSON Schema 2020-12, MCP's default dialect since 2025-11-25) for every tool's
// input schema. TypeBox schemas are plain JSON Schema at run time, so both kinds compile
// here. strict: false because MCP schemas carry annotations Ajv does not know.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false })

export type Validator = (value: unknown) => string[] | null

export function compileValidator (schema: object): Validator {
  const validate = ajv.compile(schema)
  return (value) => {
    if (validate(value)) return null
    return (validate.errors ?? []).map((e) => `${e.instancePath === '' ? 'arguments' : `arguments${e.instancePath}`} ${e.message ?? 'is invalid'}`)
  }
}
