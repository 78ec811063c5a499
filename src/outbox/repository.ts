// The stock-event outbox's changes as every org's dispatcher shares them: older changes superseded, the backlog
// counted, sent rows purged (they are written by outbox-rows.ts, in the stock change's own transaction; each org's
// claims and settling are deliveries.ts).
import type { Kysely } from 'kysely'
import type { Database } from '../db/connect.js'
import { deleteOlderThan } from '../db/delete-older-than.js'
import type { Tables } from '../db/tables.js'

/**
 * Rows superseded, settled or made due per statement or transaction. SQLite runs each on the event loop: 100 rows
 * spread over many products take about 1 ms (p50, measured). PostgreSQL runs them elsewhere, and settling 48,800 rows
 * 100 at a time took 3 s of round trips (measured); 1,000 at a time keeps its transactions short all the same.
 */
export const batchRows = (db: Database) => (db.engine === 'sqlite' ? 100 : 1000)

/**
 * Each event carries its product's stock after its latest change, so only the newest pending change of a product
 * needs publishing: this marks the older ones superseded (they are settled as sent once a newer one is published).
 * It looks at the changes written after `afterId` and up to `upToId`, a bounded batch of them in id order, and returns the id it looked
 * up to (undefined when there was none): the dispatcher calls it until it catches up, each change once, so the rows
 * a claim reads stay about one per product however long Salesforce was away (48,800 pending rows of 12 products are
 * 12 events), and the orders' own writes are left as they were. Every org shares this work: what each org has
 * accepted is its own (deliveries.ts), so a change being published to one org may be superseded meanwhile; that org
 * then receives the newer one next.
 */
export async function supersedeOlderChanges(
  db: Database,
  afterId: number,
  upToId: number,
): Promise<number | undefined> {
  const changed = await db.kysely
    .selectFrom((eb) =>
      eb
        .selectFrom('stock_events')
        .select(['id', 'product_id'])
        .where('sent_at', 'is', null)
        .where('id', '>', afterId)
        .where('id', '<=', upToId)
        .orderBy('id')
        .limit(batchRows(db))
        .as('batch'),
    )
    .select(['product_id', (eb) => eb.fn.max('id').as('newest')])
    .groupBy('product_id')
    .orderBy('product_id')
    .execute()
  if (changed.length === 0) return undefined
  const now = new Date().toISOString()
  // One short statement per product, each on the product's own rows: a plan no engine gets wrong. In product order,
  // so that two dynos superseding at once lock their rows in the same order.
  await db.transact(async (trx) => {
    for (const { product_id, newest } of changed) {
      await trx
        .updateTable('stock_events')
        .set({ superseded_at: now })
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('stock_events')
            .select('id')
            .where('product_id', '=', product_id)
            .where('sent_at', 'is', null)
            .where('superseded_at', 'is', null)
            .where('id', '<', newest)
            // A row being settled as sent is left to that: superseding it would only wait for the settling, and a
            // settling that skipped it instead could leave it unsent for good.
            .$if(db.engine === 'postgres', (query) => query.forUpdate().skipLocked()),
        )
        .execute()
    }
  })
  return Math.max(...changed.map((row) => row.newest))
}

/** The id of the newest change written so far (0 when there is none). */
export async function newestChangeId(db: Database): Promise<number> {
  const row = await db.kysely
    .selectFrom('stock_events')
    .select((eb) => eb.fn.max('id').as('newest'))
    .executeTakeFirst()
  return Number(row?.newest ?? 0)
}

/** /healthz counts this far and no further: a monitor learns that there is a backlog without a scan of all of it. */
export const PENDING_COUNTED_UP_TO = 10_000

/**
 * How many events wait to be published (at most PENDING_COUNTED_UP_TO), and since when the oldest of them has
 * waited: two reads of the index of unsent rows that stop early, whatever the size of the backlog.
 */
export async function pendingEvents(db: Kysely<Tables>): Promise<{ count: number; oldestSince: Date | undefined }> {
  const counted = await db
    .selectFrom((eb) =>
      eb.selectFrom('stock_events').select('id').where('sent_at', 'is', null).limit(PENDING_COUNTED_UP_TO).as('unsent'),
    )
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirst()
  // The first unsent row in the index's order: the ids grow with the time of the changes. Ordered by both columns,
  // as PostgreSQL does not take `is null` as fixing the first one and would otherwise scan.
  const oldest = await db
    .selectFrom('stock_events')
    .select('created_at')
    .where('sent_at', 'is', null)
    .orderBy('sent_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst()
  return { count: Number(counted?.count ?? 0), oldestSince: oldest && new Date(oldest.created_at) }
}

/** Sent rows are kept a week for inspection, then removed. */
export function purgeSentEvents(db: Kysely<Tables>, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - 7 * 24 * 3600_000).toISOString()
  return deleteOlderThan(db, { table: 'stock_events', key: 'id', time: 'sent_at', cutoff })
}
