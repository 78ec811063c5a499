// Stock stays flowcart's. A change event that sets the stock field of a Product2 is one of three things:
// - flowcart's own write (getInventory's sync, an overwrite below): its changeOrigin names client=flowcart;
// - the org copying a level flowcart published (the Flowcart_Stock_Update flow writes each Inventory_Update__e into
//   Product2 as the Automated Process user, so no client id): the value is flowcart's level now, or a level flowcart
//   held in the minute before the change was committed (the flow runs a little behind flowcart);
// - anybody else's edit. By default it is overwritten: flowcart's level is recorded as a stock event (every org gets
//   it, and the org's flow writes it back) and written into that Product2 at once. With SF_CATALOG_STOCK_EDITS=accept
//   it is taken as setInventory would take it: flowcart's level becomes the edited one, and every org is told; unless
//   flowcart's own stock changed after the edit was made (an order meanwhile): the newer level stays, as an overwrite.
import type { Kysely } from 'kysely'
import type { Tables } from '../db/tables.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import type { StockLevel } from '../salesforce/stock-sync.js'
import type { SalesforceLogger } from '../salesforce/token-provider.js'
import { MAX_STOCK } from './catalog-records.js'

/**
 * How far before a change's commit a level flowcart recorded still counts as its own when the org writes it into
 * Product2, and how far after it (the clocks of Salesforce and of the dyno differ a little). A person who types, within
 * that minute, a level flowcart held in it is taken for the flow: the one case this check cannot tell apart.
 */
const OWN_LEVELS_BEFORE_MS = 60_000
const CLOCK_SKEW_MS = 5_000

export interface StockEditContext {
  stockEvents: StockEventOutbox
  policy: 'overwrite' | 'accept'
  logger: SalesforceLogger
}

const validLevel = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_STOCK

/**
 * Inside the applying transaction. Returns the level to write back into the org's Product2 after the commit (an
 * overwrite), or undefined when there is nothing to write.
 */
export async function settleStockEdit(
  trx: Kysely<Tables>,
  context: StockEditContext,
  edit: { productId: number; value: unknown; by: string; recordId: string; committedAt: number },
): Promise<StockLevel | undefined> {
  const product = await trx
    .selectFrom('products')
    .select(['id', 'sku', 'quantity_in_stock'])
    .where('id', '=', edit.productId)
    .executeTakeFirst()
  if (!product || edit.value === product.quantity_in_stock) return undefined
  const committedAt = edit.committedAt
  const latestBefore = (until: number) =>
    trx
      .selectFrom('stock_events')
      .select(['quantity_in_stock', 'created_at'])
      .where('product_id', '=', product.id)
      .where('created_at', '<=', new Date(until).toISOString())
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst()
  if (validLevel(edit.value)) {
    const inTheMinute = await trx
      .selectFrom('stock_events')
      .select('id')
      .where('product_id', '=', product.id)
      .where('quantity_in_stock', '=', edit.value)
      .where('created_at', '>', new Date(committedAt - OWN_LEVELS_BEFORE_MS).toISOString())
      .where('created_at', '<=', new Date(committedAt + CLOCK_SKEW_MS).toISOString())
      .limit(1)
      .executeTakeFirst()
    const heldThen = await latestBefore(committedAt - OWN_LEVELS_BEFORE_MS)
    if (inTheMinute || heldThen?.quantity_in_stock === edit.value) return undefined
  }
  // flowcart's own stock changed after the edit was made: flowcart's level is the newer one. No allowance for the
  // clocks here: where they differ, an edit is overwritten rather than allowed to undo an order.
  const changedSince = (await latestBefore(Date.now()))?.created_at
  const stale = changedSince !== undefined && new Date(changedSince).getTime() > committedAt
  if (context.policy === 'accept' && validLevel(edit.value) && !stale) {
    await trx
      .updateTable('products')
      .set({ quantity_in_stock: edit.value, updated_at: new Date().toISOString() })
      .where('id', '=', product.id)
      .execute()
    await context.stockEvents.record(trx, [{ productId: product.id, sku: product.sku, quantityInStock: edit.value }])
    context.logger.info(
      {
        sku: product.sku,
        recordId: edit.recordId,
        editedBy: edit.by,
        edited: edit.value,
        previous: product.quantity_in_stock,
      },
      'stock edited in Salesforce accepted',
    )
    return undefined
  }
  const level = { productId: product.id, sku: product.sku, quantityInStock: product.quantity_in_stock }
  await context.stockEvents.record(trx, [level])
  context.logger.warn(
    {
      sku: product.sku,
      recordId: edit.recordId,
      editedBy: edit.by,
      edited: edit.value,
      restored: product.quantity_in_stock,
    },
    "stock edited in Salesforce overwritten with flowcart's level",
  )
  return level
}
