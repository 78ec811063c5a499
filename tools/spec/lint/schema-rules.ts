// Rules on schema shapes that External Services rejects or that become Apex types Flow cannot use.
import type { Finding, Located, Schema } from './types.js'
import { type Context, pointerTo } from './walk.js'

type SchemaCheck = (at: Located<Schema>, ctx: Context) => Finding | undefined

const formatOf = (node: Schema) => (node.format === undefined ? 'no format' : `format ${JSON.stringify(node.format)}`)

const everySchema =
  (check: SchemaCheck) =>
  (ctx: Context): Finding[] =>
    ctx.schemas.flatMap((at) => check(at, ctx) ?? [])

export const noConst = everySchema(({ pointer, node }) =>
  'const' in node
    ? {
        pointer: pointerTo(pointer, 'const'),
        message: '`const` is OpenAPI 3.1; External Services reads OpenAPI 3.0',
        fix: "use { type: 'string', enum: [value] } (StringEnum) instead of Type.Literal, or keep @fastify/swagger's convertConstToEnum on",
      }
    : undefined,
)

export const noNullType = everySchema(({ pointer, node }) =>
  node.type === 'null' || Array.isArray(node.type)
    ? {
        pointer: pointerTo(pointer, 'type'),
        message: `type ${JSON.stringify(node.type)} is not OpenAPI 3.0 (no null type, no type arrays)`,
        fix: 'make the property optional (leave it out of `required`) instead of a union with Type.Null()',
      }
    : undefined,
)

export const noComposition = everySchema(({ pointer, node }) => {
  const keyword = (['anyOf', 'oneOf', 'not'] as const).find((k) => k in node)
  if (!keyword) return undefined
  return {
    pointer: pointerTo(pointer, keyword),
    message: `\`${keyword}\` makes a composite Apex type that Flow cannot assign (\`not\` is rejected outright)`,
    fix: "collapse a union of literals into { type: 'string', enum: [...] } (StringEnum); otherwise model one object with optional properties (allOf is fine)",
  }
})

export const noNestedArrays = everySchema(({ pointer, node }, ctx) => {
  if (node.type !== 'array' || !node.items) return undefined
  const items = ctx.resolveSchema({ pointer: pointerTo(pointer, 'items'), node: node.items })
  if (items.node.type !== 'array') return undefined
  return {
    pointer: pointerTo(pointer, 'items'),
    message:
      'array of arrays becomes List<List<T>>, which Flow does not support as a field of an Apex-defined variable',
    fix: 'wrap the inner array in an object, e.g. items: { type: object, properties: { values: { type: array, … } } }',
  }
})

export const noOpenMap = everySchema(({ pointer, node }) => {
  const open =
    'patternProperties' in node ? 'patternProperties' : node.additionalProperties ? 'additionalProperties' : undefined
  if (!open) return undefined
  return {
    pointer: pointerTo(pointer, open),
    message: `\`${open}\` becomes an Apex Map, which Flow cannot read or build`,
    fix: 'replace the map with named properties or an array of { key, value } objects (not Type.Record)',
  }
})

export const noUntypedSchema = everySchema(({ pointer, node }) => {
  // Composed schemas already fail no-composition; reporting them twice would only add noise.
  if (node.type || node.$ref || node.allOf || node.anyOf || node.oneOf || node.not) return undefined
  return {
    pointer,
    message: 'schema has no type; External Services maps it to Apex Object, which Flow cannot use',
    fix: 'give it a type (Type.Any() and Type.Unknown() have none)',
  }
})

export const integerFormat = everySchema(({ pointer, node }) =>
  node.type === 'integer' && node.format !== 'int32' && node.format !== 'int64'
    ? {
        pointer,
        message: `integer has ${formatOf(node)}; without int32/int64 defaults are dropped and Integer vs Long is left to chance`,
        fix: "add format: 'int32' (Apex Integer) or 'int64' (Apex Long); the Int32 helper does this",
      }
    : undefined,
)

export const numberFormat = everySchema(({ pointer, node }) =>
  node.type === 'number' && node.format !== 'double' && node.format !== 'float'
    ? {
        pointer,
        message: `number has ${formatOf(node)}; say which Apex type Flow gets`,
        fix: "add format: 'double'",
      }
    : undefined,
)
