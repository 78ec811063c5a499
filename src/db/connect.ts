// The database behind DATABASE_URL, SQLite or PostgreSQL, as one small interface: queries (Kysely), transactions,
// and a version that tells caches when the data may have changed. Besides db/, only the order write
// (orders/order-writers.ts), the outbox claim (outbox/repository.ts) and the migrations (column types) ask which
// engine it is.
import { type Kysely, sql } from 'kysely'
import type { Tables } from './tables.js'
import { asTransactionWork, refuseInsideTransactionWork } from './transaction-guard.js'

export type Engine = 'sqlite' | 'postgres'

export interface Database {
  readonly engine: Engine
  /** For reads, and for repositories outside a transaction. */
  readonly kysely: Kysely<Tables>
  /**
   * Runs `work` in a transaction: committed when it resolves, nothing kept when it throws. `work` must run its
   * queries on `trx` only (on SQLite it shares a transaction with the other writes of its batch).
   */
  transact<T>(work: (trx: Kysely<Tables>) => Promise<T>): Promise<T>
  /**
   * transact() for short writes that arrive many at a time (orders): `work` shares its transaction and its commit
   * with the other work submitted at the same moment, inside a savepoint of its own, and is answered only once
   * that commit succeeded (group commit). SQLite runs every transaction so; PostgreSQL only these
   * (postgres-group-commit.ts), since a long transaction in the batch would hold up the others. PostgreSQL first
   * tries a batch's work side by side, statements interleaved, and keeps that try only if every piece succeeded:
   * work given here must come to the same outcome whichever of its batch ran first (orders do).
   */
  transactTogether<T>(work: (trx: Kysely<Tables>) => Promise<T>): Promise<T>
  /**
   * Changes whenever a cached read may be out of date. SQLite: exact, from its change counters (one process per
   * file). PostgreSQL, shared by several dynos: this process's own writes at once, and every second for the rest.
   */
  dataVersion(): string
  ping(): Promise<boolean>
  close(): Promise<void>
}

export interface DatabaseOptions {
  /** PostgreSQL connections this process may open (DATABASE_POOL_SIZE). */
  poolSize?: number
  /** How long a query waits for a free PostgreSQL connection before failing with DatabaseUnavailable. */
  poolWaitMs?: number
  /** PostgreSQL dropped a pooled connection; the work on it failed with DatabaseUnavailable, the pool reconnects. */
  onConnectionLost?: (error: Error) => void
}

export const DEFAULT_SQLITE_PATH = './data/flowcart.db'
export const DEFAULT_POOL_SIZE = 10
export const DEFAULT_POOL_WAIT_MS = 5000
/** How old an answer read from a cache can be on PostgreSQL, for changes made by other dynos. */
export const SHARED_CACHE_MS = 1000

export function describeDatabaseUrl(url: string | undefined): { engine: Engine; location: string } {
  if (!url) return { engine: 'sqlite', location: DEFAULT_SQLITE_PATH }
  if (url.startsWith('sqlite:')) return { engine: 'sqlite', location: url.slice('sqlite:'.length) }
  if (/^postgres(ql)?:\/\//.test(url)) return { engine: 'postgres', location: url }
  throw new Error(`DATABASE_URL must start with sqlite:, postgres:// or postgresql:// (got "${url.split(':')[0]}:")`)
}

/** Loads only the driver the URL needs: better-sqlite3 or pg, not both. */
export async function openDatabase(url: string | undefined, options: DatabaseOptions = {}): Promise<Database> {
  const { engine, location } = describeDatabaseUrl(url)
  if (engine === 'sqlite') {
    const { openSqlite } = await import('./sqlite.js')
    const { kysely, transact, dataVersion } = openSqlite(location)
    return withCommonParts(engine, kysely, { alone: transact, together: transact }, dataVersion)
  }
  const [{ openPostgres, transactOnPostgres }, { groupCommitOnPostgres }] = await Promise.all([
    import('./postgres.js'),
    import('./postgres-group-commit.js'),
  ])
  const { kysely, connect } = openPostgres(location, {
    size: options.poolSize ?? DEFAULT_POOL_SIZE,
    waitMs: options.poolWaitMs ?? DEFAULT_POOL_WAIT_MS,
    onConnectionLost: options.onConnectionLost,
  })
  let ownWrites = 0
  const counted =
    (transact: Database['transact']): Database['transact'] =>
    async (work) => {
      const result = await transact(work)
      ownWrites += 1
      return result
    }
  return withCommonParts(
    engine,
    kysely,
    { alone: counted((work) => transactOnPostgres(kysely, work)), together: counted(groupCommitOnPostgres(connect)) },
    () => `${ownWrites}:${Math.floor(Date.now() / SHARED_CACHE_MS)}`,
  )
}

function withCommonParts(
  engine: Engine,
  driverKysely: Kysely<Tables>,
  transact: { alone: Database['transact']; together: Database['transact'] },
  dataVersion: () => string,
): Database {
  const kysely = driverKysely.withPlugin(refuseInsideTransactionWork)
  return {
    engine,
    kysely,
    transact: (work) => transact.alone((trx) => asTransactionWork(() => work(trx))),
    transactTogether: (work) => transact.together((trx) => asTransactionWork(() => work(trx))),
    dataVersion,
    async ping() {
      try {
        await sql`select 1`.execute(kysely)
        return true
      } catch {
        return false
      }
    },
    close: () => kysely.destroy(),
  }
}
