// One value per row in a single UPDATE: `case id when <id> then cast(<value> as <type>) ... end`, which sets each
// row, chosen by its id, to its own value without a statement per row.
import { type RawBuilder, sql } from 'kysely'

/** The SQL types the values are cast to; a closed list, as the name goes into the statement as it is. */
export type CaseValueType = 'integer' | 'text'

/**
 * The value of each `[id, value]` pair for the row with that id. The casts tell PostgreSQL the type of each
 * parameter, which a bare `then $2` leaves open; SQLite takes them as they are.
 */
export function caseById<T>(
  values: Iterable<readonly [number, T]>,
  type: CaseValueType,
  key: 'id' | 'product_id' | 'stock_deliveries.product_id' = 'id',
): RawBuilder<T> {
  return sql<T>`case ${sql.ref(key)} ${sql.join(
    Array.from(values, ([id, value]) => sql`when ${id} then cast(${value} as ${sql.raw(type)})`),
    sql` `,
  )} end`
}
