// Picks the database engine from DATABASE_URL and opens a Kysely instance on it.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { databaseUnavailable } from '../errors.js'
import type { Database } from './tables.js'

export type Engine = 'sqlite' | 'postgres'

export interface Connection {
  db: Kysely<Database>
  engine: Engine
  /** The SQLite handle under db, for what Kysely cannot ask (change counters); undefined on PostgreSQL. */
  sqlite?: SqliteDatabase.Database
}

export const DEFAULT_SQLITE_PATH = './data/flowcart.db'

// int8 (bigint) columns and COUNT(*) come back as strings by default; every value here fits a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10))

export function describeDatabaseUrl(url: string | undefined): { engine: Engine; location: string } {
  if (!url) return { engine: 'sqlite', location: DEFAULT_SQLITE_PATH }
  if (url.startsWith('sqlite:')) return { engine: 'sqlite', location: url.slice('sqlite:'.length) }
  if (/^postgres(ql)?:\/\//.test(url)) return { engine: 'postgres', location: url }
  throw new Error(`DATABASE_URL must start with sqlite:, postgres:// or postgresql:// (got "${url.split(':')[0]}:")`)
}

/** Called when PostgreSQL drops an idle pooled connection (maintenance, failover); the pool replaces it. */
export type ConnectionErrorListener = (error: Error) => void

export interface PoolOptions {
  /** Connections this process may open (DATABASE_POOL_SIZE; default 10). */
  size?: number
  /** How long a query waits for a free connection before the request is answered 503 (default 5 s). */
  waitMs?: number
  onIdleError?: ConnectionErrorListener
}

export const DEFAULT_POOL_SIZE = 10
export const DEFAULT_POOL_WAIT_MS = 5000

export function connect(url: string | undefined, poolOptions: PoolOptions = {}): Connection {
  const { engine, location } = describeDatabaseUrl(url)
  if (engine === 'sqlite') {
    const sqlite = openSqlite(location)
    return { engine, sqlite, db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }) }
  }
  const { size = DEFAULT_POOL_SIZE, waitMs = DEFAULT_POOL_WAIT_MS, onIdleError } = poolOptions
  const pool = new pg.Pool({ ...postgresOptions(location), max: size, connectionTimeoutMillis: waitMs })
  // Without a listener, an idle connection closed by the server is an unhandled 'error' event: the process exits.
  pool.on('error', (error) => onIdleError?.(error))
  // Every pool is busy, or PostgreSQL cannot be reached: the request can be retried, so it is a 503, not a 500.
  const connectOrUnavailable = () =>
    pool.connect().catch((error: Error) => {
      throw databaseUnavailable(error)
    })
  return {
    engine,
    db: new Kysely<Database>({
      // Kysely 0.29's PostgresPool also has the pool's options (it reads them to cancel a query).
      dialect: new PostgresDialect({
        pool: { connect: connectOrUnavailable, end: () => pool.end(), options: pool.options },
      }),
    }),
  }
}

function openSqlite(location: string) {
  if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true })
  const sqlite = new SqliteDatabase(location)
  // WAL + NORMAL: a commit is in the OS before the answer is sent, so it survives the process being killed.
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  return withStatementCache(sqlite)
}

const STATEMENT_CACHE_SIZE = 500

/**
 * Kysely prepares every query anew; the app runs a handful of distinct statements, so keep them prepared. Queries
 * with an IN list make a new text per list length, so the least recently used statement makes room (a Map keeps
 * insertion order: a hit moves to the end, the first key is the oldest).
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
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

/**
 * Heroku Postgres requires TLS but its certificates do not verify against a public CA; a URL that asks for TLS
 * (`sslmode=require`, or any Heroku host) gets TLS without certificate verification, unless `sslmode=verify-full`.
 */
export function postgresOptions(url: string): pg.PoolConfig {
  const parsed = new URL(url)
  const sslmode = parsed.searchParams.get('sslmode')
  parsed.searchParams.delete('sslmode')
  const herokuHost = parsed.hostname.endsWith('.amazonaws.com') || parsed.hostname.endsWith('.herokuapp.com')
  if (sslmode === 'disable') return { connectionString: parsed.toString() }
  if (sslmode === 'verify-full') return { connectionString: parsed.toString(), ssl: { rejectUnauthorized: true } }
  if (sslmode || herokuHost) return { connectionString: parsed.toString(), ssl: { rejectUnauthorized: false } }
  return { connectionString: parsed.toString() }
}
