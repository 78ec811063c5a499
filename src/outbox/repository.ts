// The stock-event outbox as the dispatcher works it: changes superseded, claimed with a lease, settled, retried,
// counted and purged (they are written by outbox-rows.ts, in the stock change's own transaction).
import { type Kysely, type Selectable, sql } from 'kysely'
import type { Database } from '../db/connect.js'
import { deleteOlderThan } from '../db/delete-older-than.js'
import { inBatches } from '../db/in-batches.js'
import type { StockEventsTable, Tables } from '../db/tables.js'

export type PendingStockEvent = Selectable<StockEventsTable>

/**
 * Rows superseded, settled or made due per statement or transaction. SQLite runs each on the event loop: 100 rows
 * spread over many products take about 1 ms (p50, measured). PostgreSQL runs them elsewhere, and settling 48,800 rows
 * 100 at a time took 3 s of round trips (measured); 1,000 at a time keeps its transactions short all the same.
 */
const batchRows = (db: Database) => (db.engine === 'sqlite' ? 100 : 1000)

/**
 * Each event carries its product's stock after its latest change, so only the newest pending change of a product
 * needs publishing: this marks the older ones superseded (they are settled as sent once a newer one is published).
 * It looks at the changes written after `afterId`, a bounded batch of them in id order, and returns the id it looked
 * up to (undefined when there was none): the dispatcher calls it until it catches up, each change once, so the rows
 * a claim reads stay about one per product however long Salesforce was away (48,800 pending rows of 12 products are
 * 12 events), and the orders' own writes are left as they were. A row under a running lease is left current: it is on
 * its way, and while it is, its product is held and the newer change waits.
 */
export async function supersedeOlderChanges(db: Database, afterId: number): Promise<number | undefined> {
  const changed = await db.kysely
    .selectFrom((eb) =>
      eb
        .selectFrom('stock_events')
        .select(['id', 'product_id'])
        .where('sent_at', 'is', null)
        .where('id', '>', afterId)
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
  // as the settling of markPublished, so that two dynos at it lock their rows in the same order.
  await db.transact(async (trx) => {
    for (const { product_id, newest } of changed) {
      await trx
        .updateTable('stock_events')
        .set({ superseded_at: now })
        .where('product_id', '=', product_id)
        .where('sent_at', 'is', null)
        .where('superseded_at', 'is', null)
        .where('id', '<', newest)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .execute()
    }
  })
  return Math.max(...changed.map((row) => row.newest))
}

// Any constant: the key of the PostgreSQL advisory lock that lets one dispatcher claim at a time.
const CLAIM_LOCK = 7_292_025

/**
 * Leases the newest change of up to `productLimit` products whose change is due, longest due first, skipping every
 * product another dispatcher holds: one product's events are published by one dispatcher at a time, so an older
 * quantity never overtakes a newer one. Only current rows are read, about one per product once supersedeOlderChanges
 * has run, so the work is that of the rows claimed, not of the backlog behind them. The lease (not a long
 * transaction) covers the Salesforce call, so rows of a dispatcher that died mid-publish are claimed again once it
 * ends.
 *
 * Where the engines differ: on PostgreSQL several dynos claim, in turn, under an advisory lock held for the claim's
 * short transaction (so two claims never pick the same products); SQLite has one writer, its transaction suffices.
 */
export function claimDueEvents(db: Database, productLimit: number, leaseMs: number): Promise<PendingStockEvent[]> {
  const now = new Date()
  const nowIso = now.toISOString()
  return db.transact(async (trx) => {
    if (db.engine === 'postgres') await sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`.execute(trx)
    return (
      trx
        .updateTable('stock_events')
        .set({ claimed_until: new Date(now.getTime() + leaseMs).toISOString() })
        // PostgreSQL checks this again on a row that a concurrent superseding changed meanwhile (the subquery's
        // conditions it does not). No index serves it, so SQLite finds the rows by id instead of scanning current ones.
        .where((eb) => eb(eb.fn.coalesce('sent_at', 'superseded_at'), 'is', null))
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('stock_events as head')
            .select('head.id')
            .where('head.sent_at', 'is', null)
            .where('head.superseded_at', 'is', null)
            .where('head.next_attempt_at', '<=', nowIso)
            .where((eb) => eb.or([eb('head.claimed_until', 'is', null), eb('head.claimed_until', '<', nowIso)]))
            // Two lookups of the product's own current rows, as scalar subqueries: both engines run them per row
            // through the product's index, whatever their statistics say (PostgreSQL turns NOT EXISTS into a join,
            // and planned that join as a scan of every current row for each candidate on a fresh table).
            .where('head.id', '=', (eb) =>
              eb
                .selectFrom('stock_events as newer')
                .select((newer) => newer.fn.max('newer.id').as('newest'))
                .whereRef('newer.product_id', '=', 'head.product_id')
                .where('newer.sent_at', 'is', null)
                .where('newer.superseded_at', 'is', null),
            )
            .where(
              (eb) =>
                eb
                  .selectFrom('stock_events as held')
                  .select((held) => held.fn.countAll<number>().as('leases'))
                  .whereRef('held.product_id', '=', 'head.product_id')
                  .where('held.sent_at', 'is', null)
                  .where('held.superseded_at', 'is', null)
                  .where('held.claimed_until', '>=', nowIso),
              '=',
              0,
            )
            .orderBy('head.next_attempt_at')
            .limit(productLimit),
        )
        .returningAll()
        .execute()
    )
  })
}

/**
 * After Salesforce accepted each product's newest change (`upToId`): first the older changes it carried are settled,
 * in short transactions of a bounded number of rows, then the published rows themselves. In that order a dispatcher
 * killed in between leaves the published rows leased, so they are published again (at least once) and the settling
 * resumes; never an older change left current, to be published after the newer one.
 */
export async function markPublished(db: Database, published: Array<{ productId: number; upToId: number }>) {
  if (published.length === 0) return
  const now = new Date().toISOString()
  const left = published.toSorted((a, b) => a.productId - b.productId)
  while (left.length > 0) {
    await db.transact(async (trx) => {
      let budget = batchRows(db)
      while (left.length > 0 && budget > 0) {
        const { productId, upToId } = left[0] as (typeof left)[number]
        const result = await trx
          .updateTable('stock_events')
          .set({ sent_at: now, claimed_until: null })
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('stock_events')
              .select('id')
              .where('product_id', '=', productId)
              .where('sent_at', 'is', null)
              .where('id', '<', upToId)
              .limit(budget),
          )
          .executeTakeFirst()
        const settled = Number(result.numUpdatedRows)
        if (settled < budget) left.shift()
        budget -= settled
      }
    })
    await new Promise((resolve) => setImmediate(resolve))
  }
  await db.kysely
    .updateTable('stock_events')
    .set({ sent_at: now, claimed_until: null, last_error: null })
    .where(
      'id',
      'in',
      published.map(({ upToId }) => upToId),
    )
    .execute()
}

/** Releases claimed rows after a failed publish, to be retried at `retryAt`; `code` first in last_error. */
export async function scheduleRetry(db: Kysely<Tables>, ids: number[], retryAt: Date, code: string, reason: string) {
  if (ids.length === 0) return
  await db
    .updateTable('stock_events')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at: retryAt.toISOString(),
      claimed_until: null,
      last_error: `${code}: ${reason}`.slice(0, 1000),
    }))
    .where('id', 'in', ids)
    .execute()
}

/**
 * Salesforce has just accepted a call, so the products waiting out an earlier failure of a whole call (an outage, a
 * refused session) are due now, a bounded batch at a time; those whose own event was refused (`exceptCode`) keep
 * their delay. The current rows waiting are about one per product.
 */
export function retryWaitingNow(db: Database, exceptCode: string): Promise<number> {
  const now = new Date().toISOString()
  return inBatches(batchRows(db), async (limit) => {
    const result = await db.kysely
      .updateTable('stock_events')
      .set({ next_attempt_at: now })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('stock_events')
          .select('id')
          .where('sent_at', 'is', null)
          .where('superseded_at', 'is', null)
          .where('next_attempt_at', '>', now)
          .where((eb) => eb.or([eb('last_error', 'is', null), eb('last_error', 'not like', `${exceptCode}:%`)]))
          .limit(limit),
      )
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  })
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
