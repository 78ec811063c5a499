// A closed set of words as a schema, shared by the contract's schemas (http/schemas.ts) and the environment's
// (environment-variables.ts). It sits apart from both so that neither has to import the other.
import { Type } from 'typebox'

/**
 * `{ type: 'string', enum }`: External Services reads enums, not unions of literals, and a wrong value is refused
 * with the list of allowed ones.
 */
export const StringEnum = <const T extends string[]>(values: [...T], options: { description?: string } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: values, ...options })
