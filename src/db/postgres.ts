// PostgreSQL: the pool (sized, bounded in wait, TLS as Heroku needs), statements prepared once per connection, and
// a transaction per piece of work.
import { createHash } from 'node:crypto'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { DatabaseUnavailable } from '../errors.js'
import type { Tables } from './tables.js'

// int8 (bigint) columns and COUNT(*) come back as strings by default; every value here fits a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10))

export interface PoolOptions {
  /** Connections this process may open (DATABASE_POOL_SIZE). */
  size: number
  /** How long a query waits for a free connection before failing with DatabaseUnavailable. */
  waitMs: number
  /** Called when PostgreSQL drops an idle pooled connection (maintenance, failover); the pool replaces it. */
  onIdleError?: (error: Error) => void
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

// Statements longer than this (IN lists of many ids) are not kept prepared: each list length is a new text.
const MAX_PREPARED_TEXT = 2000

/**
 * A query of node-postgres with a `name` is parsed and planned once per connection and then only bound and run
 * (https://node-postgres.com/features/queries#prepared-statements): the name is a digest of the text, so the same
 * SQL always finds its prepared statement. Kysely sends every query as (text, values).
 */
function preparingOnce(client: pg.PoolClient): pg.PoolClient {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown
  const prepared = (text: unknown, values?: unknown) =>
    typeof text === 'string' && text.length <= MAX_PREPARED_TEXT
      ? query({ name: createHash('sha1').update(text).digest('base64url'), text, values })
      : query(text, values)
  return Object.assign(Object.create(client) as pg.PoolClient, { query: prepared })
}

export function openPostgres(url: string, options: PoolOptions): Kysely<Tables> {
  const pool = new pg.Pool({ ...postgresOptions(url), max: options.size, connectionTimeoutMillis: options.waitMs })
  // Without a listener, an idle connection closed by the server is an unhandled 'error' event: the process exits.
  pool.on('error', (error) => options.onIdleError?.(error))
  // Every pooled connection busy, or PostgreSQL unreachable: the request can be retried (503), it is not a bug.
  const connect = () =>
    pool.connect().then(preparingOnce, (error: Error) => {
      throw new DatabaseUnavailable(error)
    })
  return new Kysely<Tables>({
    dialect: new PostgresDialect({ pool: { connect, end: () => pool.end(), options: pool.options } }),
  })
}

// deadlock_detected and serialization_failure: PostgreSQL rolled the transaction back and it may simply be re-run
// (https://www.postgresql.org/docs/current/mvcc-serialization-failure-handling.html).
const RETRYABLE = new Set(['40P01', '40001'])
const ATTEMPTS = 3

/** Runs `work` in its own transaction on a pooled connection; re-runs it if PostgreSQL asks to. */
export async function transactOnPostgres<T>(kysely: Kysely<Tables>, work: (trx: Kysely<Tables>) => Promise<T>) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await kysely.transaction().execute(work)
    } catch (error) {
      const code = (error as { code?: string }).code
      if (attempt >= ATTEMPTS || !code || !RETRYABLE.has(code)) throw error
    }
  }
}
