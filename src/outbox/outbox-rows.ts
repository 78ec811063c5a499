// The stock-event outbox's rows, written inside the transaction of the stock change they announce, so an event
// exists exactly when its change does (stock-event-outbox.ts decides whether they are written at all).
import { type Kysely, type QueryCreator, sql } from 'kysely'
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

/** The stock an order took, as a common table of its statement: what its events carry. */
export interface TakenStockRow {
  product_id: number
  sku: string
  quantity_in_stock: number
}

/**
 * The same rows as recordStockChanges, written from the `taken` common table of the PostgreSQL order statement
 * (orders/order-writers.ts), so an order's events cost no round trip of their own.
 */
export function recordTakenStock<DB extends Tables & { taken: TakenStockRow }>(db: QueryCreator<DB>, now: string) {
  const creator = db as unknown as QueryCreator<Tables & { taken: TakenStockRow }>
  return creator
    .insertInto('stock_events')
    .columns(['product_id', 'sku', 'quantity_in_stock', 'created_at', 'next_attempt_at'])
    .expression((eb) =>
      eb
        .selectFrom('taken')
        .select([
          'product_id',
          'sku',
          'quantity_in_stock',
          sql<string>`cast(${now} as timestamptz)`.as('created_at'),
          sql<string>`cast(${now} as timestamptz)`.as('next_attempt_at'),
        ]),
    )
}
