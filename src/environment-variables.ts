// How an environment variable is described (a TypeBox string schema whose description is the help text), and the
// error that stops start-up when one is wrong.
import { Type } from 'typebox'
import { StringEnum } from './string-enum.js'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** One of a few words; a wrong one is refused with the list of allowed ones. */
export const OneOf = <const T extends string[]>(values: [...T], description: string) =>
  StringEnum(values, { description })

/** 100 ms to about 2.8 hours. */
export const Milliseconds = (description: string, fallback: number) =>
  Type.Optional(
    Type.String({ pattern: '^[1-9][0-9]{2,6}$', description: `${description}, in ms (default ${fallback}).` }),
  )

export const Count = (description: string, fallback: number) =>
  Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,5}$', description: `${description} (default ${fallback}).` }))
