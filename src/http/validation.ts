// Request validation without guesswork: JSON bodies are checked exactly as sent, a path or query integer is plain
// decimal digits, and a query boolean is `true` or `false`. Anything else is 400 VALIDATION naming the parameter.

import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'
import type { TSchema } from 'typebox'

// Leading minus only where the schema allows a negative value; no spaces, signs, exponents, hex or octal.
const UNSIGNED_DECIMAL = /^[0-9]+$/
const SIGNED_DECIMAL = /^-?[0-9]+$/

interface NumericSchema {
  type?: string
  minimum?: number
}

/** The path or query parameters that the schema declares as booleans. */
function booleanParameters(schema: TSchema): string[] {
  const properties = ((schema as { properties?: object }).properties ?? {}) as Record<string, NumericSchema>
  return Object.keys(properties).filter((name) => properties[name]?.type === 'boolean')
}

/** The path or query parameters that the schema declares as numbers, with the digits each may be written in. */
function numericParameters(schema: TSchema): Array<[name: string, digits: RegExp]> {
  const properties = ((schema as { properties?: object }).properties ?? {}) as Record<string, NumericSchema>
  return Object.entries(properties)
    .filter(([, property]) => property.type === 'integer' || property.type === 'number')
    .map(([name, property]) => [
      name,
      property.minimum !== undefined && property.minimum >= 0 ? UNSIGNED_DECIMAL : SIGNED_DECIMAL,
    ])
}

/**
 * Fastify's default compiler coerces types (`true` → 1, `"Infinity"` → Infinity, `"0x10"` → 16): a JSON body is
 * taken as sent instead, and the strings of a path or query are turned into numbers here, only when they are
 * decimal digits. `strictNumbers` refuses NaN and ±Infinity wherever a number is expected (JSON.parse reads
 * `1e309` as Infinity), so the range and int32 checks always see a finite number.
 */
export function strictValidatorCompiler(sharedSchemas: TSchema[]): FastifySchemaCompiler<TSchema> {
  const ajv = new Ajv({ coerceTypes: false, useDefaults: true, removeAdditional: false, strictNumbers: true })
  addFormats.default(ajv)
  // OpenAPI's `example` annotates a schema for /docs, and `x-sfdc` for Heroku AppLink; they validate nothing.
  ajv.addVocabulary(['example', 'x-sfdc'])
  for (const schema of sharedSchemas) ajv.addSchema(schema)

  return ({ schema, httpPart }) => {
    const validate = ajv.compile(schema)
    if (httpPart === 'body' || httpPart === 'headers') return validate
    const numeric = numericParameters(schema)
    const booleans = booleanParameters(schema)
    return (data: Record<string, unknown>) => {
      for (const name of booleans) {
        if (data[name] === 'true' || data[name] === 'false') data[name] = data[name] === 'true'
      }
      for (const [name, digits] of numeric) {
        const value = data[name]
        // A value that is not plain digits stays a string, and the schema then names it: "must be integer".
        if (typeof value === 'string' && digits.test(value)) data[name] = Number(value)
      }
      return validate(data) ? true : { error: validate.errors ?? [] }
    }
  }
}
