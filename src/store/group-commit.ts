// SQLite group commit: the writes that arrive together run in one transaction, each inside its own savepoint.
import type SqliteDatabase from 'better-sqlite3'
import type { Kysely } from 'kysely'
import type { Database } from './tables.js'
import type { TransactionScope, WriteTransaction } from './write-transactions.js'

/** Caps how long one batch holds the event loop (about 30 µs an order): a burst is committed in several. */
export const MAX_BATCH_SIZE = 100

interface QueuedWork {
  work: (scope: TransactionScope) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * A commit writes every page the transaction touched to the WAL, and that costs more than placing the order
 * itself. Work submitted while the event loop reads requests is queued; right after (setImmediate) the whole
 * queue runs in one transaction. A savepoint per piece of work means one refused order rolls back alone. Callers
 * hear back only once the shared commit has succeeded, so an acknowledged order is as durable as before; if the
 * commit fails, every piece of work in it fails.
 */
export function groupCommit(
  db: Kysely<Database>,
  sqlite: SqliteDatabase.Database,
  scope: TransactionScope,
): WriteTransaction {
  const begin = sqlite.prepare('begin immediate')
  const commit = sqlite.prepare('commit')
  const rollback = sqlite.prepare('rollback')
  const savepoint = sqlite.prepare('savepoint one_write')
  const release = sqlite.prepare('release one_write')
  const rollbackToSavepoint = sqlite.prepare('rollback to one_write')
  const queue: QueuedWork[] = []
  let scheduled = false

  async function runBatch(batch: QueuedWork[]) {
    const outcomes: Array<{ value: unknown } | { error: unknown }> = []
    begin.run()
    try {
      for (const { work } of batch) {
        savepoint.run()
        try {
          outcomes.push({ value: await work(scope) })
          release.run()
        } catch (error) {
          // On some errors (I/O, a full disk) SQLite has already rolled back the whole transaction: the batch fails.
          if (!sqlite.inTransaction) throw error
          rollbackToSavepoint.run()
          release.run()
          outcomes.push({ error })
        }
      }
      commit.run()
    } catch (error) {
      if (sqlite.inTransaction) rollback.run()
      throw error
    }
    return outcomes
  }

  async function flush() {
    const batch = queue.splice(0, MAX_BATCH_SIZE)
    try {
      // Holding Kysely's connection keeps its other queries (reads, the event dispatcher) out of the transaction.
      const outcomes = await db.connection().execute(() => runBatch(batch))
      outcomes.forEach((outcome, index) => {
        const { resolve, reject } = batch[index] as QueuedWork
        if ('error' in outcome) reject(outcome.error)
        else resolve(outcome.value)
      })
    } catch (error) {
      for (const { reject } of batch) reject(error)
    } finally {
      scheduled = queue.length > 0
      if (scheduled) setImmediate(flush)
    }
  }

  return (work) =>
    new Promise((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    })
}
