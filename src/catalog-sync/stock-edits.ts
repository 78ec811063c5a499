// Stock stays flowcart's. A change event that sets the stock field of a Product2 is one of three things:
// - flowcart's own write (getInventory's sync, an overwrite below): its changeOrigin names client=flowcart;
// - the org copying a level flowcart published (the Flowcart_Stock_Update flow writes each Inventory_Update__e into
//   Product2 as the Automated Process user, so no client id): the value is one flowcart recorded for the product in
//   the last hour;
// - anybody else's edit. By default it is overwritten: flowcart's level is recorded as a stock event (every org gets
//   it, and the org's flow writes it back) and written into that Product2 at once. With SF_CATALOG_STOCK_EDITS=accept
//   it is taken as setInventory would take it: flowcart's level becomes the edited one, and every org is told.
import type { Kysely } from 'kysely'
import type { Tables } from '../db/tables.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import type { StockLevel } from '../salesforce/stock-sync.js'
import type { SalesforceLogger } from '../salesforce/token-provider.js'

/** How far back a level flowcart recorded still counts as its own when the org writes it into Product2. */
const OWN_LEVELS_MS = 3600_000

export interface StockEditContext {
  stockEvents: StockEventOutbox
  policy: 'overwrite' | 'accept'
  logger: SalesforceLogger
}

const validLevel = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2_147_483_647

/**
 * Inside the applying transaction. Returns the level to write back into the org's Product2 after the commit (an
 * overwrite), or undefined when there is nothing to write.
 */
export async function settleStockEdit(
  trx: Kysely<Tables>,
  context: StockEditContext,
  edit: { productId: number; value: unknown; by: string; recordId: string },
): Promise<StockLevel | undefined> {
  const product = await trx
    .selectFrom('products')
    .select(['id', 'sku', 'quantity_in_stock'])
    .where('id', '=', edit.productId)
    .executeTakeFirst()
  if (!product || edit.value === product.quantity_in_stock) return undefined
  if (validLevel(edit.value)) {
    const own = await trx
      .selectFrom('stock_events')
      .select('id')
      .where('product_id', '=', product.id)
      .where('quantity_in_stock', '=', edit.value)
      .where('created_at', '>', new Date(Date.now() - OWN_LEVELS_MS).toISOString())
      .limit(1)
      .executeTakeFirst()
    if (own) return undefined
  }
  const fields = { sku: product.sku, recordId: edit.recordId, editedBy: edit.by, edited: edit.value }
  if (context.policy === 'accept' && validLevel(edit.value)) {
    await trx
      .updateTable('products')
      .set({ quantity_in_stock: edit.value, updated_at: new Date().toISOString() })
      .where('id', '=', product.id)
      .execute()
    await context.stockEvents.record(trx, [{ productId: product.id, sku: product.sku, quantityInStock: edit.value }])
    context.logger.info({ ...fields, previous: product.quantity_in_stock }, 'stock edited in Salesforce accepted')
    return undefined
  }
  const level = { productId: product.id, sku: product.sku, quantityInStock: product.quantity_in_stock }
  await context.stockEvents.record(trx, [level])
  context.logger.warn(
    { ...fields, restored: product.quantity_in_stock },
    "stock edited in Salesforce overwritten with flowcart's level",
  )
  return level
}
