// Queries of the order path, built with Kysely once and bound to new values on every call.
import type { Compilable, CompiledQuery } from 'kysely'

/**
 * Kysely builds and compiles a query anew on every call, about 10 µs each (measured); placing an order runs
 * several. A prepared query is built once with named slots in place of its values, and each call only puts the
 * values in. (kysely-params does the same, but for Kysely 0.24 only.)
 */
class Slot {
  constructor(readonly name: string) {}
}

/** Values a slot can hold: what both drivers bind as one parameter (no lists, no undefined). */
type SlotValue = string | number | bigint | null
export type SlotValues = Record<string, SlotValue>
/** Stands for the value named `name` wherever a value goes in the query. */
export type SlotOf<Values extends SlotValues> = <Name extends keyof Values & string>(name: Name) => Values[Name]

export interface PreparedQuery<Values, Row> {
  bind(values: Values): CompiledQuery<Row>
}

/** `prepareQuery<Values>()((slot) => query)`: the two steps let TypeScript infer the row type from the query. */
export const prepareQuery =
  <Values extends SlotValues>() =>
  <Row>(build: (slot: SlotOf<Values>) => Compilable<Row>): PreparedQuery<Values, Row> => {
    const used: string[] = []
    const compiled = build((name) => {
      used.push(name)
      return new Slot(name) as never
    }).compile()
    // Values written into the query itself (not through a slot) stay as they are.
    const slots = compiled.parameters.map((value) => (value instanceof Slot ? value.name : undefined))
    const lost = used.filter((name) => !slots.includes(name))
    if (lost.length > 0) throw new Error(`slot ${lost.join(', ')} did not become a parameter of: ${compiled.sql}`)
    return {
      bind: (values) => ({
        ...compiled,
        parameters: slots.map((name, index) => (name === undefined ? compiled.parameters[index] : values[name])),
      }),
    }
  }
