// The stock-event outbox: rows written in the stock change's own transaction, claimed by a dispatcher with a lease.
import { type Kysely, type Selectable, sql } from 'kysely'
import type { Database } from '../db/connect.js'
import { DELETE_BATCH_ROWS, inBatches } from '../db/in-batches.js'
import type { StockEventsTable, Tables } from '../db/tables.js'

export type PendingStockEvent = Selectable<StockEventsTable>

/** A product's stock after a change: what one platform event carries. */
export interface StockChange {
  productId: number
  sku: string
  quantityInStock: number
}

/** Inside the transaction of the change, so the event exists exactly when the change does. */
export async function recordStockChanges(trx: Kysely<Tables>, changes: StockChange[]): Promise<void> {
  if (changes.length === 0) return
  const now = new Date().toISOString()
  await trx
    .insertInto('stock_events')
    .values(
      changes.map((change) => ({
        product_id: change.productId,
        sku: change.sku,
        quantity_in_stock: change.quantityInStock,
        created_at: now,
        next_attempt_at: now,
      })),
    )
    .execute()
}

// Any constant: the key of the PostgreSQL advisory lock that lets one dispatcher claim at a time.
const CLAIM_LOCK = 7_292_025

/**
 * Leases the due rows of up to `productLimit` products, oldest first, skipping every product whose rows another
 * dispatcher holds: one product's events are published by one dispatcher at a time, so an older quantity never
 * overtakes a newer one. Claiming by product keeps a round to one publish call (one event per product), however
 * many changes each product has. The lease (not a long transaction) covers the Salesforce call, so rows of a
 * dispatcher that died mid-publish are claimed again once it ends.
 *
 * Where the engines differ: on PostgreSQL several dynos claim, in turn, under an advisory lock held for the claim's
 * short transaction (so two claims never pick the same products); SQLite has one writer, its transaction suffices.
 */
export function claimDueEvents(db: Database, productLimit: number, leaseMs: number): Promise<PendingStockEvent[]> {
  const now = new Date()
  const nowIso = now.toISOString()
  return db.transact(async (trx) => {
    if (db.engine === 'postgres') await sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`.execute(trx)
    const products = await trx
      .selectFrom('stock_events as event')
      .select('event.product_id')
      .where('event.sent_at', 'is', null)
      .where('event.next_attempt_at', '<=', nowIso)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('stock_events as held')
              .select('held.id')
              .whereRef('held.product_id', '=', 'event.product_id')
              .where('held.sent_at', 'is', null)
              .where('held.claimed_until', '>=', nowIso),
          ),
        ),
      )
      .groupBy('event.product_id')
      .orderBy((eb) => eb.fn.min('event.id'))
      .limit(productLimit)
      .execute()
    if (products.length === 0) return []
    return trx
      .updateTable('stock_events')
      .set({ claimed_until: new Date(now.getTime() + leaseMs).toISOString() })
      .where('sent_at', 'is', null)
      .where('next_attempt_at', '<=', nowIso)
      .where(
        'product_id',
        'in',
        products.map((row) => row.product_id),
      )
      .returningAll()
      .execute()
  })
}

/** Marks each published product's rows up to the published one as sent: older pending changes are superseded. */
export async function markPublished(db: Kysely<Tables>, published: Array<{ productId: number; upToId: number }>) {
  if (published.length === 0) return
  await db
    .updateTable('stock_events')
    .set({ sent_at: new Date().toISOString(), claimed_until: null, last_error: null })
    .where('sent_at', 'is', null)
    .where((eb) =>
      eb.or(
        published.map(({ productId, upToId }) => eb.and([eb('product_id', '=', productId), eb('id', '<=', upToId)])),
      ),
    )
    .execute()
}

/** Releases rows after a failed publish, to be retried at `retryAt`. */
export async function scheduleRetry(db: Kysely<Tables>, ids: number[], retryAt: Date, error: string) {
  if (ids.length === 0) return
  await db
    .updateTable('stock_events')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at: retryAt.toISOString(),
      claimed_until: null,
      last_error: error.slice(0, 1000),
    }))
    .where('id', 'in', ids)
    .execute()
}

/** How many events wait to be published, and since when the oldest of them has waited. */
export async function pendingEvents(db: Kysely<Tables>): Promise<{ count: number; oldestSince: Date | undefined }> {
  const row = await db
    .selectFrom('stock_events')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('created_at').as('oldest')])
    .where('sent_at', 'is', null)
    .executeTakeFirst()
  return { count: Number(row?.count ?? 0), oldestSince: row?.oldest ? new Date(row.oldest) : undefined }
}

/** Sent rows are kept a week for inspection, then removed. */
export function purgeSentEvents(db: Kysely<Tables>, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - 7 * 24 * 3600_000).toISOString()
  return inBatches(DELETE_BATCH_ROWS, async (limit) => {
    const result = await db
      .deleteFrom('stock_events')
      .where('id', 'in', (eb) => eb.selectFrom('stock_events').select('id').where('sent_at', '<', cutoff).limit(limit))
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  })
}
