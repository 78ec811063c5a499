// The stock-event outbox's rows, written inside the transaction of the stock change they announce, so an event
// exists exactly when its change does (stock-event-outbox.ts decides whether they are written at all).
import type { Kysely } from 'kysely'
import type { Tables } from '../db/tables.js'

/** A product's stock after a change: what one platform event carries. */
export interface StockChange {
  productId: number
  sku: string
  quantityInStock: number
}

/** One row per change, inside the transaction of the change. */
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

/**
 * The same rows as recordStockChanges, written from the `taken` common table of the PostgreSQL order statement
 * (orders/order-writers.ts: product_id, sku, quantity_in_stock), so an order's events cost no round trip of their
 * own. `now` is the statement's SQL for the time of the change (a parameter); the text is part of a statement
 * written once.
 */
export const recordTakenStock = (now: string) =>
  `insert into stock_events (product_id, sku, quantity_in_stock, created_at, next_attempt_at)
  select product_id, sku, quantity_in_stock, ${now}, ${now} from taken`
