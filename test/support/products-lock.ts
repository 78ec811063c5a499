// Another session holding the products, the whole table or one product's row, as a long stocktake or a migration
// would: the app's statements on them wait, and a test can see which sessions wait, end them, or let them go on.
import pg from 'pg'
import { registerCleanup } from '../helper.js'

export interface ProductsLock {
  /** The sessions of the database waiting on a lock now. */
  waitingSessions(): Promise<number[]>
  /** The waiting sessions, once at least `count` are. */
  untilWaiting(count?: number): Promise<number[]>
  /** Ends sessions, as an operator or a failover would. */
  terminate(pids: number[]): Promise<void>
  /** Commits: the waiting statements go on. */
  release(): Promise<void>
}

export async function lockProducts(databaseUrl: string, productId?: number): Promise<ProductsLock> {
  const locker = new pg.Client({ connectionString: databaseUrl })
  await locker.connect()
  registerCleanup(() => locker.end())
  await locker.query('begin')
  if (productId === undefined) await locker.query('lock table products in access exclusive mode')
  else await locker.query('select id from products where id = $1 for update', [productId])
  const waitingSessions = async () => {
    // Inside a transaction PostgreSQL shows each session's activity as it was at the first read, until the snapshot
    // is cleared (https://www.postgresql.org/docs/current/monitoring-stats.html, "Viewing Statistics").
    await locker.query('select pg_stat_clear_snapshot()')
    const { rows } = await locker.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    )
    return rows.map((row) => row.pid)
  }
  return {
    waitingSessions,
    async untilWaiting(count = 1) {
      for (;;) {
        const pids = await waitingSessions()
        if (pids.length >= count) return pids
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    },
    async terminate(pids) {
      await locker.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids])
    },
    async release() {
      await locker.query('commit')
    },
  }
}
