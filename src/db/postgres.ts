// PostgreSQL: the pool (sized, bounded in wait, TLS as Heroku needs), statements prepared once per connection, a
// transaction per piece of work, and connections that PostgreSQL drops failing only the work that was on them.
import { createHash } from 'node:crypto'
import { CompiledQuery, Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { CommitOutcomeUnknown, DatabaseUnavailable } from '../errors.js'
import type { Tables } from './tables.js'
import { meansUnavailable } from './unavailable.js'

// int8 (bigint) columns and COUNT(*) come back as strings by default; every value here fits a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10))

export interface PoolOptions {
  /** Connections this process may open (DATABASE_POOL_SIZE). */
  size: number
  /** How long a query waits for a free connection before failing with DatabaseUnavailable. */
  waitMs: number
  /** Called when PostgreSQL drops a pooled connection (maintenance, failover, a terminated session). */
  onConnectionLost?: (error: Error) => void
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
 * TCP keepalive on every connection, first probe after this much silence: a connection whose server vanished
 * without closing it (a host replaced in a failover) is found dead by the kernel rather than held for ever.
 */
const KEEPALIVE_AFTER_MS = 10_000

/** How many statement texts keep their name at hand (statementName); a few dozen are in use. */
const NAMED_TEXTS = 1000
const statementNames = new Map<string, string>()

/**
 * A statement's name for node-postgres: a digest of its text, so the same SQL always finds its prepared statement on
 * every connection. Digests are kept by text: a SHA-1 per query (a hash object, a digest, its base64url) was about
 * 6 % of the server's CPU on the order path (profiled pinned with --cpu-prof), and a Map lookup by the text costs a
 * fraction of it (the order statement's text is one string, whose hash V8 keeps). Queries with IN lists make a new text
 * per list length: past NAMED_TEXTS the oldest is forgotten, and its digest is simply made again when it comes back.
 */
function statementName(text: string): string {
  let name = statementNames.get(text)
  if (name === undefined) {
    name = createHash('sha1').update(text).digest('base64url')
    if (statementNames.size >= NAMED_TEXTS) statementNames.delete(statementNames.keys().next().value as string)
    statementNames.set(text, name)
  }
  return name
}

/**
 * Each query of a pooled connection, (1) sent with a `name`, so node-postgres parses and plans it once per
 * connection and then only binds and runs it (https://node-postgres.com/features/queries#prepared-statements; the
 * name is statementName's; Kysely sends every query as (text, values)), and (2) failing with DatabaseUnavailable
 * when the database cannot serve it (unavailable.ts).
 */
function pooledQueries(client: pg.PoolClient, lost: WeakSet<pg.PoolClient>): pg.PoolClient {
  const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>
  const run = (text: unknown, values?: unknown) => {
    if (typeof text !== 'string' || text.length > MAX_PREPARED_TEXT) return query(text, values)
    // Without values node-pg sends a simple query: one message, which may hold several commands.
    if (transactionControl.has(text)) return query(text)
    return query({ name: statementName(text), text, values })
  }
  const guarded = (text: unknown, values?: unknown) =>
    run(text, values).catch((error: Error) => {
      throw meansUnavailable(error, lost.has(client)) ? new DatabaseUnavailable(error) : error
    })
  return Object.assign(Object.create(client) as pg.PoolClient, { query: guarded })
}

export interface PostgresHandle {
  kysely: Kysely<Tables>
  /** A pooled connection of one's own (release it), for work that pipelines its statements (group commit). */
  connect(): Promise<pg.PoolClient>
}

export function openPostgres(url: string, options: PoolOptions): PostgresHandle {
  const pool = new pg.Pool({
    ...postgresOptions(url),
    // Pipelining (https://node-postgres.com/features/pipelining): a query is sent without waiting for the answer
    // to the one before, so group commit sends a batch's orders side by side, and a savepoint with the order behind
    // it (postgres-group-commit.ts). Kysely still waits for each answer before its next query on a connection of
    // its own, so nothing else changes.
    pipeline: true,
    max: options.size,
    connectionTimeoutMillis: options.waitMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_AFTER_MS,
  })
  const lost = new WeakSet<pg.PoolClient>()
  // A connection that PostgreSQL ends (57P01 on pg_terminate_backend, a restart, a failover) emits 'error' on its
  // client. node-postgres's pool listens only while the client is idle; a client in use with no listener turns the
  // event into an uncaught exception, which ends the process. So every client listens for its whole life: the
  // work on it fails (as DatabaseUnavailable, above), and the pool drops the client when it comes back
  // (pg-pool removes a client that is no longer queryable on release) and opens a new one on demand.
  pool.on('connect', (client) => {
    client.on('error', (error) => {
      if (lost.has(client)) return
      lost.add(client)
      options.onConnectionLost?.(error)
    })
  })
  // The pool re-emits an idle client's error; the client's own listener above has already reported it.
  pool.on('error', () => {})
  // Every pooled connection busy, or PostgreSQL unreachable: the request can be retried (503), it is not a bug.
  const connect = () =>
    pool.connect().then(
      (client) => pooledQueries(client, lost),
      (error: Error) => {
        throw new DatabaseUnavailable(error)
      },
    )
  const kysely = new Kysely<Tables>({
    dialect: new PostgresDialect({ pool: { connect, end: () => pool.end(), options: pool.options } }),
  })
  return { kysely, connect }
}

/** Kysely on one connection held by the caller, who releases it: the queries' own releases do nothing. */
export function kyselyOn(client: pg.PoolClient): Kysely<Tables> {
  const held = Object.assign(Object.create(client) as pg.PoolClient, { release: () => {} })
  return new Kysely<Tables>({
    dialect: new PostgresDialect({ pool: { connect: async () => held, end: async () => {}, options: {} } }),
  })
}

// deadlock_detected and serialization_failure: PostgreSQL rolled the transaction back and it may simply be re-run
// (https://www.postgresql.org/docs/current/mvcc-serialization-failure-handling.html).
const RETRYABLE = new Set(['40P01', '40001'])
/** PostgreSQL refused the work for now (RETRYABLE); still refused after its last attempt, it is answered 503. */
export const isRetryable = (error: unknown) => RETRYABLE.has((error as { code?: string }).code ?? '')
const ATTEMPTS = 3

/**
 * BEGIN found its pooled connection gone (PostgreSQL restarted or failed over since the connection was last used, and
 * the pool has not heard of it yet): nothing of the work was sent, so it is run again on another connection.
 */
export class BeginFailed extends Error {
  constructor(readonly failure: unknown) {
    super('BEGIN failed')
  }
}

/**
 * Runs `work` in its own transaction on a pooled connection; re-runs it if PostgreSQL asks to, or if the connection
 * was already gone when the transaction began.
 */
export async function transactOnPostgres<T>(kysely: Kysely<Tables>, work: (trx: Kysely<Tables>) => Promise<T>) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await kysely.connection().execute((connection) => inTransaction(connection, work))
    } catch (error) {
      if (error instanceof BeginFailed) {
        if (attempt >= ATTEMPTS || !(error.failure instanceof DatabaseUnavailable)) throw error.failure
        continue
      }
      if (!isRetryable(error)) throw error
      if (attempt >= ATTEMPTS) throw new DatabaseUnavailable(error)
    }
  }
}

/**
 * Transaction control (BEGIN, COMMIT, savepoints) as Kysely's CompiledQuery, compiled once: building and compiling
 * `sql\`begin\`` anew costs more than sending it, and every order runs two of these. Sent as simple queries, never
 * prepared (pooledQueries): there is nothing to bind, and one message may carry two commands, one round trip
 * instead of two ('begin; savepoint …').
 */
const transactionControl = new Set<string>()
export function transactionControlText(text: string): string {
  transactionControl.add(text)
  return text
}
const BEGIN = CompiledQuery.raw(transactionControlText('begin'))
const COMMIT = CompiledQuery.raw(transactionControlText('commit'))
const ROLLBACK = CompiledQuery.raw(transactionControlText('rollback'))

/**
 * BEGIN, the work, COMMIT; ROLLBACK if the work throws (fastify-postgres's `transact` in a few lines). Written out
 * rather than Kysely's transaction() because what a lost connection means depends on where it was lost: before
 * COMMIT was sent nothing was kept, but while it was under way PostgreSQL may have committed or not, and no one
 * can tell this process which (CommitOutcomeUnknown). Kysely would roll back on the dead connection and report
 * that failure instead.
 */
async function inTransaction<T>(connection: Kysely<Tables>, work: (trx: Kysely<Tables>) => Promise<T>): Promise<T> {
  await connection.executeQuery(BEGIN).catch((error: unknown) => {
    throw new BeginFailed(error)
  })
  let result: T
  try {
    result = await work(connection)
  } catch (error) {
    // ROLLBACK fails only on a lost connection, where the server has ended the transaction with the session (and
    // the pool discards the connection): the work's own error is the one to report.
    await connection.executeQuery(ROLLBACK).catch(() => {})
    throw error
  }
  await committed(connection.executeQuery(COMMIT))
  return result
}

/** COMMIT's answer; a connection lost while it was under way leaves the outcome unknown (CommitOutcomeUnknown). */
export async function committed(commit: Promise<unknown>): Promise<void> {
  try {
    await commit
  } catch (error) {
    throw error instanceof DatabaseUnavailable ? new CommitOutcomeUnknown(error.cause) : error
  }
}
