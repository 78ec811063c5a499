// The transactions that change stock, on either engine: the business functions get a scope and never see which.
import type { CompiledQuery, Kysely } from 'kysely'
import type { Connection } from './connect.js'
import { groupCommit } from './group-commit.js'
import type { OrderWrites, prepareOrderWrites } from './order-writes.js'
import type { Database } from './tables.js'

export interface RunResult<Row> {
  /** The rows read, or returned by RETURNING. */
  rows: Row[]
  /** Rows inserted, updated or deleted. */
  changes: number
  /** The id of the row inserted, where the engine tells it without RETURNING (SQLite). */
  insertId: number | undefined
}

/** Runs one compiled query inside the transaction. */
export type RunQuery = <Row>(query: CompiledQuery<Row>) => RunResult<Row> | Promise<RunResult<Row>>

export interface TransactionScope {
  /** The order path's writes, prepared once. */
  writes: OrderWrites
  /** Runs the rarely run queries, once compiled from `db`. */
  run: RunQuery
  db: Kysely<Database>
}

/**
 * Runs `work` in a transaction: it commits when `work` resolves and changes nothing when it throws. `work` waits
 * on nothing but its queries: on SQLite it shares its transaction with the other writes of its batch.
 */
export type WriteTransaction = <T>(work: (scope: TransactionScope) => Promise<T>) => Promise<T>

export function writeTransactions({ db, sqlite }: Connection, writesFor: ReturnType<typeof prepareOrderWrites>) {
  // SQLite has a single writer and pays for every commit: the orders that arrive together share one.
  if (sqlite) return groupCommit(db, sqlite, writesFor)
  // PostgreSQL has many writers and commits cheaply: each order is its own transaction, on its own connection.
  const inTransaction: WriteTransaction = (work) =>
    db.transaction().execute((trx) => {
      const run: RunQuery = async (query) => {
        const result = await trx.executeQuery(query)
        const insertId = result.insertId === undefined ? undefined : Number(result.insertId)
        return { rows: result.rows, changes: Number(result.numAffectedRows ?? 0), insertId }
      }
      return work({ writes: writesFor(run), run, db })
    })
  return inTransaction
}
