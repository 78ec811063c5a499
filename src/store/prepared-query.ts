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

export interface PreparedQuery<Values, Row> {
  bind(values: Values): CompiledQuery<Row>
}

/** `prepareQuery<Values>()((slot) => query)`: the two steps let TypeScript infer the row type from the query. */
export const prepareQuery =
  <Values extends Record<string, unknown>>() =>
  <Row>(
    build: (slot: <Name extends keyof Values & string>(name: Name) => Values[Name]) => Compilable<Row>,
  ): PreparedQuery<Values, Row> => {
    const compiled = build((name) => new Slot(name) as never).compile()
    // Values written into the query itself (not through a slot) stay as they are.
    const slots = compiled.parameters.map((value) => (value instanceof Slot ? value.name : undefined))
    return {
      bind: (values) => ({
        ...compiled,
        parameters: slots.map((name, index) => (name === undefined ? compiled.parameters[index] : values[name])),
      }),
    }
  }
