// Building blocks shared by the route schemas; every shape here ends up in the OpenAPI contract.
import { type Static, type TSchema, type TSchemaOptions, Type } from 'typebox'

/** A closed string set as `{ type: 'string', enum }`: External Services reads enums, not unions of literals. */
export const StringEnum = <const T extends string[]>(values: [...T], options: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: values, ...options })

/**
 * `{ $ref: '<$id>' }` to a shared schema (registered with addSchema), statically typed as that schema.
 * TypeBox 1 dropped `Type.Ref(schema)`: given a schema it nests the whole object under `$ref`.
 */
export const SchemaRef = <T extends TSchema>(schema: T, options: TSchemaOptions = {}) => {
  const { $id } = schema as { $id?: string }
  if ($id === undefined) throw new Error('SchemaRef needs a schema with an $id')
  return Type.Unsafe<Static<T>>(Type.Ref($id, options))
}

export const Int32 = (options: Parameters<typeof Type.Integer>[0] = {}) => Type.Integer({ format: 'int32', ...options })

export const Id = (description: string, options: { example?: number } = {}) =>
  Int32({ minimum: 1, description, ...options })

export const DateTime = (description: string) => Type.String({ format: 'date-time', description })

export const PageQuery = Type.Object({
  pageSize: Type.Optional(Int32({ minimum: 1, maximum: 200, default: 50, description: 'Items per page (1–200).' })),
  offset: Type.Optional(Int32({ minimum: 0, default: 0, description: 'Items to skip before the page starts.' })),
})
export type PageQuery = Static<typeof PageQuery>
