// The transactions that change stock, on either engine: the business functions get a scope and never see which.
import type SqliteDatabase from 'better-sqlite3'
import type { CompiledQuery, Kysely, Transaction } from 'kysely'
import type { Connection } from './connect.js'
import { groupCommit } from './group-commit.js'
import { type OrderWrites, prepareOrderWrites } from './order-writes.js'
import { compileOnlyBuilder } from './query-builder.js'
import type { Database } from './tables.js'

export interface RunResult<Row> {
  /** The rows read, or returned by RETURNING. */
  rows: Row[]
  /** Rows inserted, updated or deleted (0 for a SELECT). */
  changes: number
  /** The id of the row an INSERT added, where the engine tells it without RETURNING (SQLite). */
  insertId: number | undefined
}

/** Runs one compiled query inside the transaction. */
export type RunQuery = <Row>(query: CompiledQuery<Row>) => RunResult<Row> | Promise<RunResult<Row>>

export interface TransactionScope {
  /** The writes of the order path, prepared once. */
  writes: OrderWrites
  /** Runs a query compiled with `builder`, inside the transaction. */
  run: RunQuery
  /** Builds the rarely run queries; it cannot run them itself, so nothing escapes the transaction. */
  builder: Kysely<Database>
}

/**
 * Runs `work` in a transaction: it commits when `work` resolves and changes nothing when it throws. `work` waits
 * on nothing but its queries: on SQLite it shares its transaction with the other writes of its batch.
 */
export type WriteTransaction = <T>(work: (scope: TransactionScope) => Promise<T>) => Promise<T>

export function writeTransactions(
  { db, sqlite, engine }: Connection,
  options: { recordStockEvents: boolean },
): WriteTransaction {
  const builder = compileOnlyBuilder(engine)
  const writesFor = prepareOrderWrites(builder, engine, options)
  const scopeFor = (run: RunQuery): TransactionScope => ({ writes: writesFor(run), run, builder })
  // SQLite has a single writer and pays for every commit: the orders that arrive together share one.
  if (sqlite) return groupCommit(db, sqlite, scopeFor(runOnSqlite(sqlite)))
  // PostgreSQL has many writers and commits cheaply: each order is its own transaction, on its own connection.
  return (work) => db.transaction().execute((trx) => work(scopeFor(runInTransaction(trx))))
}

/**
 * better-sqlite3 is synchronous: the result is there when the call returns. Only the group commit runs these,
 * while it holds Kysely's connection, so no other query can interleave.
 */
function runOnSqlite(sqlite: SqliteDatabase.Database): RunQuery {
  return <Row>(query: CompiledQuery<Row>): RunResult<Row> => {
    const statement = sqlite.prepare(query.sql)
    const kind = query.query.kind
    if (statement.reader) {
      const rows = statement.all(query.parameters) as Row[]
      return { rows, changes: kind === 'SelectQueryNode' ? 0 : rows.length, insertId: undefined }
    }
    const { changes, lastInsertRowid } = statement.run(query.parameters)
    // last_insert_rowid() keeps its value across other statements: it only means something after an INSERT.
    const inserted = kind === 'InsertQueryNode' && changes > 0
    return { rows: [], changes, insertId: inserted ? Number(lastInsertRowid) : undefined }
  }
}

function runInTransaction(trx: Transaction<Database>): RunQuery {
  return async (query) => {
    const result = await trx.executeQuery(query)
    return { rows: result.rows, changes: Number(result.numAffectedRows ?? 0), insertId: undefined }
  }
}
