// SQLite: the file and its settings, statements prepared once, and group commit: the writes that arrive together
// share one transaction, each inside its own savepoint.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { changeCounter } from './change-counter.js'
import type { Tables } from './tables.js'

/** Caps how long one batch holds the event loop: a burst is committed in several. */
export const MAX_BATCH_SIZE = 100
const STATEMENT_CACHE_SIZE = 500

export interface SqliteHandle {
  kysely: Kysely<Tables>
  transact<T>(work: (trx: Kysely<Tables>) => Promise<T>): Promise<T>
  /** Changes whenever the data may have changed, whoever wrote it (see change-counter.ts). */
  dataVersion(): string
}

export function openSqlite(location: string): SqliteHandle {
  if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true })
  const sqlite = new SqliteDatabase(location)
  // WAL + NORMAL: a commit is in the OS before the answer is sent, so it survives the process being killed.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  const kysely = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
  return { kysely, transact: groupCommit(kysely, sqlite), dataVersion: changeCounter(sqlite) }
}

/**
 * Kysely prepares every query anew, which costs more than running it (22 µs against 4 µs for an UPDATE, measured);
 * the app runs a few dozen distinct statements, so they stay prepared. Queries with an IN list make a new text per
 * list length, so the least recently used statement makes room (a Map keeps insertion order).
 */
export function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const statements = new Map<string, SqliteDatabase.Statement>()
  const prepare = (source: string) => {
    let statement = statements.get(source)
    if (statement) statements.delete(source)
    else statement = sqlite.prepare(source)
    statements.set(source, statement)
    if (statements.size > STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string)
    return statement
  }
  return Object.assign(Object.create(sqlite) as SqliteDatabase.Database, { prepare, close: () => sqlite.close() })
}

interface QueuedWork {
  work: (trx: Kysely<Tables>) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * SQLite has one writer, and a commit (writing the touched pages to the WAL) costs more than placing an order. Work
 * submitted while the event loop reads requests is queued; right after (setImmediate) the queue runs in one
 * transaction, each piece inside a savepoint, so a refused order rolls back alone. No caller hears back before the
 * shared commit has succeeded, so an acknowledged order is as durable as with a transaction of its own; if the
 * commit fails, every piece fails. BEGIN IMMEDIATE takes the write lock at once: another process's writes then wait
 * (busy_timeout) instead of failing when a read part of the batch has already begun.
 */
function groupCommit(kysely: Kysely<Tables>, sqlite: SqliteDatabase.Database) {
  const queue: QueuedWork[] = []
  let scheduled = false

  // Transaction control goes to the connection itself: a Kysely query costs several times what BEGIN or SAVEPOINT
  // does (about 10 µs against 1 to 2, measured), and an order runs two of them. The batch holds Kysely's one
  // connection meanwhile, so nothing else runs on it. Each is prepared once: exec() parses its text every time, and
  // a SAVEPOINT and RELEASE pair took 2.8 to 4.9 µs with exec() against 1.3 to 3.1 µs prepared (200,000 pairs,
  // pinned, three runs).
  const control = (text: string) => {
    const statement = sqlite.prepare(text)
    return () => statement.run()
  }
  const begin = control('begin immediate')
  const savepoint = control('savepoint work')
  const release = control('release work')
  const rollbackToSavepoint = control('rollback to work')
  const commit = control('commit')
  const rollback = control('rollback')
  async function runBatch(trx: Kysely<Tables>, batch: QueuedWork[]) {
    const outcomes: Array<{ value: unknown } | { error: unknown }> = []
    begin()
    try {
      for (const { work } of batch) {
        savepoint()
        try {
          outcomes.push({ value: await work(trx) })
          release()
        } catch (error) {
          // On some errors (I/O, a full disk) SQLite has already rolled back the whole transaction: the batch fails.
          if (!sqlite.inTransaction) throw error
          rollbackToSavepoint()
          release()
          outcomes.push({ error })
        }
      }
      commit()
    } catch (error) {
      if (sqlite.inTransaction) rollback()
      throw error
    }
    return outcomes
  }

  async function flush() {
    const batch = queue.splice(0, MAX_BATCH_SIZE)
    try {
      // One connection for the batch: Kysely's other queries (reads, the event dispatcher) wait until it commits.
      const outcomes = await kysely.connection().execute((trx) => runBatch(trx, batch))
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

  return <T>(work: (trx: Kysely<Tables>) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject })
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    })
}
