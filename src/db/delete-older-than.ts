// Retention: the rows of a table older than a cutoff are deleted a bounded batch at a time (in-batches.ts says why),
// each batch chosen by a subquery on the time column's index.
import type { Kysely } from 'kysely'
import { DELETE_BATCH_ROWS, inBatches } from './in-batches.js'
import type { Tables } from './tables.js'

export interface Expiry<T extends keyof Tables> {
  table: T
  /** The column that names a row (its primary key). */
  key: keyof Tables[T] & string
  /** The row's time, an ISO 8601 string; rows whose time is before `cutoff` go. */
  time: keyof Tables[T] & string
  cutoff: string
}

/** Deletes the expired rows and returns how many went. */
export function deleteOlderThan<T extends keyof Tables>(db: Kysely<Tables>, expiry: Expiry<T>): Promise<number> {
  // Kysely cannot type a query over a table chosen by a type parameter: the names are checked against Tables by
  // Expiry, and the query is built over untyped tables.
  const anyTable = db as unknown as Kysely<Record<string, Record<string, string>>>
  const { table, key, time, cutoff }: Record<keyof Expiry<T>, string> = expiry
  return inBatches(DELETE_BATCH_ROWS, async (limit) => {
    const result = await anyTable
      .deleteFrom(table)
      .where(key, 'in', (eb) => eb.selectFrom(table).select(key).where(time, '<', cutoff).limit(limit))
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  })
}
