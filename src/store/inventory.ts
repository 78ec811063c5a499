// Reading and setting stock levels.
import type { Kysely } from 'kysely'
import { notFound } from '../errors.js'
import type { Connection } from './connect.js'
import type { StockChangeRecorder } from './orders.js'
import { type InventoryView, toInventory } from './rows.js'
import type { Database } from './tables.js'

const inventoryColumns = ['id', 'sku', 'quantity_in_stock', 'updated_at'] as const

export async function listInventory(db: Kysely<Database>, productId?: number): Promise<InventoryView[]> {
  let query = db.selectFrom('products').select(inventoryColumns).orderBy('id')
  if (productId !== undefined) query = query.where('id', '=', productId)
  const rows = await query.execute()
  if (productId !== undefined && rows.length === 0) throw notFound(`Product ${productId} does not exist.`)
  return rows.map(toInventory)
}

export async function setStock(
  { db }: Connection,
  productId: number,
  quantityInStock: number,
  recordStockChanges?: StockChangeRecorder,
): Promise<InventoryView> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('products')
      .set({ quantity_in_stock: quantityInStock, updated_at: new Date().toISOString() })
      .where('id', '=', productId)
      .returning(inventoryColumns)
      .executeTakeFirst()
    if (!row) throw notFound(`Product ${productId} does not exist.`)
    if (recordStockChanges) await recordStockChanges(trx, [{ productId, sku: row.sku, quantityInStock }])
    return toInventory(row)
  })
}
