// Settling the stock-event outbox: a change every org published to has accepted is marked sent, since no org needs
// it any more (and the retention purge removes it a week later). What each org has accepted is deliveries.ts's.
import { caseById } from '../db/case-by-id.js'
import type { Database } from '../db/connect.js'
import { inBatches } from '../db/in-batches.js'
import { batchRows } from './repository.js'

/**
 * The orgs published to changed (one disabled, say): the changes every remaining org has accepted are settled now,
 * not at their product's next change, so a disabled org's backlog does not linger as pending. With no org left,
 * nobody needs any of them.
 */
export async function settleForOrgs(db: Database, orgKeys: string[]) {
  const now = new Date().toISOString()
  if (orgKeys.length === 0) {
    await inBatches(batchRows(db), async (limit) => {
      const result = await db.kysely
        .updateTable('stock_events')
        .set({ sent_at: now })
        .where('id', 'in', (eb) => eb.selectFrom('stock_events').select('id').where('sent_at', 'is', null).limit(limit))
        .executeTakeFirst()
      return Number(result.numUpdatedRows)
    })
    return
  }
  const waiting = await db.kysely
    .selectFrom('stock_events')
    .select('product_id')
    .distinct()
    .where('sent_at', 'is', null)
    .where('superseded_at', 'is', null)
    .execute()
  await settleDeliveredEverywhere(
    db,
    waiting.map((row) => row.product_id),
    orgKeys,
    now,
  )
}

/**
 * Marks sent the changes of `productIds` that every org of `orgKeys` has accepted (up to the smallest accepted id of
 * each product), one statement per bounded batch of rows. It waits for a row the superseding holds (which skips the
 * rows a settling holds, so neither waits for the other in turn), and then settles it too.
 */
export async function settleDeliveredEverywhere(db: Database, productIds: number[], orgKeys: string[], now: string) {
  if (orgKeys.length === 0 || productIds.length === 0) return
  const everywhere = await db.kysely
    .selectFrom('stock_deliveries')
    .select(['product_id', (eb) => eb.fn.min('delivered_id').as('up_to'), (eb) => eb.fn.countAll<number>().as('orgs')])
    .where('product_id', 'in', productIds)
    .where('org_key', 'in', orgKeys)
    .where('delivered_id', 'is not', null)
    .groupBy('product_id')
    .execute()
  const upTo = new Map(
    everywhere
      .filter((row) => Number(row.orgs) === orgKeys.length && row.up_to !== null)
      .map((row) => [row.product_id, Number(row.up_to)] as const),
  )
  if (upTo.size === 0) return
  await inBatches(batchRows(db), async (limit) => {
    const result = await db.kysely
      .updateTable('stock_events')
      .set({ sent_at: now })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('stock_events')
          .select('id')
          .where('product_id', 'in', [...upTo.keys()])
          .where('sent_at', 'is', null)
          .where('id', '<=', caseById(upTo, 'integer', 'product_id'))
          .limit(limit),
      )
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  })
}
