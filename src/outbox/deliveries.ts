// Each org's publishing of the stock-event outbox: which product's newest change it still lacks, leased to one
// dispatcher at a time, accepted, retried. stock_events keeps one row per change for every org; stock_deliveries
// keeps, per org and product, the newest change that org has accepted and its own lease, retry and error. So an org
// that is down holds back only its own rows, and the rows grow with orgs x products, not with orgs x changes.
import type { Kysely } from 'kysely'
import { caseById } from '../db/case-by-id.js'
import type { Database } from '../db/connect.js'
import { inBatches } from '../db/in-batches.js'
import type { Tables } from '../db/tables.js'
import { batchRows } from './repository.js'
import { settleDeliveredEverywhere } from './settling.js'

/** A product's newest change, due for one org, with what that org's publishing of it has been through. */
export interface DueChange {
  id: number
  product_id: number
  sku: string
  quantity_in_stock: number
  /** Failed calls since the org last accepted this product. */
  attempts: number
  /** The oldest change of the product the org has not accepted yet: how long the org has been behind. */
  changed_since: string | Date
}

/**
 * Leases, for one org, the newest change of up to `productLimit` products that the org has not accepted yet and that
 * is due (a change after a failed one at once, the failed one after its delay), longest due first, skipping the
 * products another dispatcher is publishing to it. Only the current rows are read (about one per product once
 * outbox/repository.ts has superseded the older ones), so the work is that of the products with a change some org
 * still lacks, not of the backlog behind them. The lease (not a long transaction) covers the Salesforce call, so a
 * dispatcher that died mid-publish leaves the product free again once it ends.
 *
 * Two statements, no transaction: the candidates are read, then leased by one upsert that takes only those whose
 * lease is free and that the org has still not accepted, atomically per row. Two dynos that read the same candidates split them, each publishing the ones its
 * upsert returned, so one dispatcher per org and product at a time and an older quantity never overtakes a newer one
 * in that org. (A transaction with an advisory lock did the same in five round trips; on PostgreSQL each costs a
 * socket write, and the claims of five orgs at once slowed the orders beside them: measured with npm run bench.)
 */
export async function claimDueFor(
  db: Database,
  orgKey: string,
  productLimit: number,
  leaseMs: number,
): Promise<DueChange[]> {
  const now = new Date()
  const nowIso = now.toISOString()
  const leasedUntil = new Date(now.getTime() + leaseMs).toISOString()
  const due = await db.kysely
    .selectFrom('stock_events as head')
    .leftJoin('stock_deliveries as d', (join) =>
      join.on('d.org_key', '=', orgKey).onRef('d.product_id', '=', 'head.product_id'),
    )
    .select(['head.id', 'head.product_id', 'head.sku', 'head.quantity_in_stock', 'd.attempts'])
    // When the oldest change of the product that the org lacks was made: how long the org has been behind on it.
    .select((eb) =>
      eb
        .selectFrom('stock_events as e')
        .select((e) => e.fn.min('e.created_at').as('since'))
        .whereRef('e.product_id', '=', 'head.product_id')
        .where('e.sent_at', 'is', null)
        .whereRef('e.id', '>', eb.fn.coalesce('d.delivered_id', eb.lit(0)))
        .as('changed_since'),
    )
    .where('head.sent_at', 'is', null)
    .where('head.superseded_at', 'is', null)
    // The product's newest current row, as a scalar subquery through the product's index (see repository.ts).
    .where('head.id', '=', (eb) =>
      eb
        .selectFrom('stock_events as newer')
        .select((newer) => newer.fn.max('newer.id').as('newest'))
        .whereRef('newer.product_id', '=', 'head.product_id')
        .where('newer.sent_at', 'is', null)
        .where('newer.superseded_at', 'is', null),
    )
    .where((eb) => eb.or([eb('d.delivered_id', 'is', null), eb('d.delivered_id', '<', eb.ref('head.id'))]))
    // A change newer than the one that failed is due at once, as a new row of the outbox always was: the first
    // change after an outage finds out whether the org answers again, and then the waiting ones follow.
    .where((eb) =>
      eb.or([
        eb('d.next_attempt_at', 'is', null),
        eb('d.next_attempt_at', '<=', nowIso),
        eb('d.tried_id', 'is', null),
        eb('d.tried_id', '<', eb.ref('head.id')),
      ]),
    )
    .where((eb) => eb.or([eb('d.claimed_until', 'is', null), eb('d.claimed_until', '<', nowIso)]))
    .orderBy((eb) => eb.fn.coalesce('d.next_attempt_at', 'head.created_at'))
    .limit(productLimit)
    .execute()
  if (due.length === 0) return []
  const leased = await db.kysely
    .insertInto('stock_deliveries')
    .values(
      due.map((row) => ({
        org_key: orgKey,
        product_id: row.product_id,
        next_attempt_at: nowIso,
        claimed_until: leasedUntil,
      })),
    )
    .onConflict((conflict) =>
      conflict
        .columns(['org_key', 'product_id'])
        .doUpdateSet({ claimed_until: leasedUntil })
        // Free, and still behind the change read: a dyno that read it and then stalled while another published it,
        // and a newer one, must not lease it and send the older quantity last.
        .where((eb) =>
          eb.and([
            eb.or([
              eb('stock_deliveries.claimed_until', 'is', null),
              eb('stock_deliveries.claimed_until', '<', nowIso),
            ]),
            eb.or([
              eb('stock_deliveries.delivered_id', 'is', null),
              eb(
                'stock_deliveries.delivered_id',
                '<',
                caseById(
                  due.map((row) => [row.product_id, row.id] as const),
                  'integer',
                  'stock_deliveries.product_id',
                ),
              ),
            ]),
          ]),
        ),
    )
    .returning('product_id')
    .execute()
  const won = new Set(leased.map((row) => row.product_id))
  return due
    .filter((row) => won.has(row.product_id))
    .map((row) => ({
      id: row.id,
      product_id: row.product_id,
      sku: row.sku,
      quantity_in_stock: row.quantity_in_stock,
      attempts: row.attempts ?? 0,
      changed_since: (row.changed_since as string | Date | null) ?? nowIso,
    }))
}

/**
 * The org accepted each product's change `upToId`: its delivery moves on (never back), and its lease, retry and error
 * are cleared. Then every change that each org of `orgKeys` (those published to) has accepted is settled as sent
 * (settling.ts).
 */
export async function markDelivered(
  db: Database,
  orgKey: string,
  published: Array<{ productId: number; upToId: number }>,
  orgKeys: string[],
) {
  if (published.length === 0) return
  const now = new Date().toISOString()
  const accepted = new Map(published.map(({ productId, upToId }) => [productId, upToId]))
  const upTo = caseById(accepted, 'integer', 'product_id')
  await db.kysely
    .updateTable('stock_deliveries')
    .set((eb) => ({
      delivered_id: eb
        .case()
        .when(eb.fn.coalesce('delivered_id', eb.lit(0)), '<', upTo)
        .then(upTo)
        .else(eb.ref('delivered_id'))
        .end(),
      delivered_at: now,
      claimed_until: null,
      attempts: 0,
      last_error: null,
      next_attempt_at: now,
    }))
    .where('org_key', '=', orgKey)
    .where('product_id', 'in', [...accepted.keys()])
    .execute()
  await settleDeliveredEverywhere(db, [...accepted.keys()], orgKeys, now)
}

/**
 * Releases one org's claimed products after a failed publish of their changes (`tried`: product Id and change id), to
 * be retried at `retryAt`; `code` first in last_error.
 */
export async function scheduleRetryFor(
  db: Kysely<Tables>,
  orgKey: string,
  tried: Array<{ productId: number; changeId: number }>,
  retryAt: Date,
  code: string,
  reason: string,
) {
  if (tried.length === 0) return
  await db
    .updateTable('stock_deliveries')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at: retryAt.toISOString(),
      tried_id: caseById(
        tried.map(({ productId, changeId }) => [productId, changeId] as const),
        'integer',
        'product_id',
      ),
      claimed_until: null,
      last_error: `${code}: ${reason}`.slice(0, 1000),
    }))
    .where('org_key', '=', orgKey)
    .where(
      'product_id',
      'in',
      tried.map(({ productId }) => productId),
    )
    .execute()
}

/**
 * The org has just accepted a call, so its products waiting out an earlier failure of a whole call (an outage, a
 * refused session) are due now, a bounded batch at a time; those whose own event was refused (`exceptCode`) keep
 * their delay. Another org's waits are its own.
 */
export function retryWaitingNowFor(db: Database, orgKey: string, exceptCode: string): Promise<number> {
  const now = new Date().toISOString()
  return inBatches(batchRows(db), async (limit) => {
    const result = await db.kysely
      .updateTable('stock_deliveries')
      .set({ next_attempt_at: now })
      .where('org_key', '=', orgKey)
      .where('product_id', 'in', (eb) =>
        eb
          .selectFrom('stock_deliveries')
          .select('product_id')
          .where('org_key', '=', orgKey)
          .where('next_attempt_at', '>', now)
          .where((eb) => eb.or([eb('last_error', 'is', null), eb('last_error', 'not like', `${exceptCode}:%`)]))
          .limit(limit),
      )
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  })
}
