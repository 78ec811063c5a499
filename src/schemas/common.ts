// Building blocks shared by the route schemas; every shape here ends up in the OpenAPI contract.
import { type Static, Type } from '@sinclair/typebox'

/** A closed string set as `{ type: 'string', enum }`: External Services reads enums, not unions of literals. */
export const StringEnum = <const T extends string[]>(values: [...T], options: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: values, ...options })

export const Int32 = (options: Parameters<typeof Type.Integer>[0] = {}) => Type.Integer({ format: 'int32', ...options })

export const Id = (description: string) => Int32({ minimum: 1, description })

export const DateTime = (description: string) => Type.String({ format: 'date-time', description })

export const PageQuery = Type.Object({
  pageSize: Type.Optional(Int32({ minimum: 1, maximum: 200, default: 50, description: 'Items per page (1–200).' })),
  offset: Type.Optional(Int32({ minimum: 0, default: 0, description: 'Items to skip before the page starts.' })),
})
export type PageQuery = Static<typeof PageQuery>
