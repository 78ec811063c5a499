// A Kysely that builds and compiles queries for an engine but cannot run them.
import {
  type DatabaseConnection,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely'
import type { Engine } from './connect.js'
import type { Database } from './tables.js'

class CompileOnlyDriver extends DummyDriver {
  override async acquireConnection(): Promise<DatabaseConnection> {
    throw new Error('This query builder only compiles queries: run them with the transaction scope’s run().')
  }
}

/**
 * Writes build their queries with this, and run them through their transaction. A query run on the database's own
 * Kysely from inside a SQLite batch would wait for the connection the batch holds, for ever; on PostgreSQL it
 * would run outside the transaction. Here it fails at once instead.
 */
export function compileOnlyBuilder(engine: Engine): Kysely<Database> {
  const sqlite = engine === 'sqlite'
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => (sqlite ? new SqliteAdapter() : new PostgresAdapter()),
      createDriver: () => new CompileOnlyDriver(),
      createIntrospector: (db) => (sqlite ? new SqliteIntrospector(db) : new PostgresIntrospector(db)),
      createQueryCompiler: () => (sqlite ? new SqliteQueryCompiler() : new PostgresQueryCompiler()),
    },
  })
}
