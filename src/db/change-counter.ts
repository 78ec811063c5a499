// Tells whether a SQLite database may have changed since a given moment, whoever wrote to it.
import type SqliteDatabase from 'better-sqlite3'

/**
 * total_changes() counts the rows this connection has written (uncommitted ones included, so a reader never
 * trusts a moment inside an open transaction); data_version moves when any other connection, in this process or
 * another, commits to the file. Together they change whenever the data may have changed. Neither reads table
 * data, so they are safe to ask while a transaction is open on the connection.
 */
export function changeCounter(sqlite: SqliteDatabase.Database): () => string {
  // One statement for both: a read costs one step of SQLite, not two.
  const counters = sqlite.prepare(`select total_changes() || ':' || data_version from pragma_data_version`).pluck()
  return () => counters.get() as string
}
