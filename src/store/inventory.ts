// Reading and setting stock levels.
import type { Kysely } from 'kysely'
import { notFound } from '../errors.js'
import { type InventoryView, toInventory } from './rows.js'
import type { Database } from './tables.js'
import type { TransactionScope } from './write-transactions.js'

const inventoryColumns = ['id', 'sku', 'quantity_in_stock', 'updated_at'] as const

export async function listInventory(db: Kysely<Database>, productId?: number): Promise<InventoryView[]> {
  let query = db.selectFrom('products').select(inventoryColumns).orderBy('id')
  if (productId !== undefined) query = query.where('id', '=', productId)
  const rows = await query.execute()
  if (productId !== undefined && rows.length === 0) throw notFound(`Product ${productId} does not exist.`)
  return rows.map(toInventory)
}

/** Runs inside a write transaction (see write-transactions.ts). */
export async function setStock(
  { writes }: TransactionScope,
  productId: number,
  quantityInStock: number,
): Promise<InventoryView> {
  const row = await writes.setStock({ productId, quantityInStock, now: new Date().toISOString() })
  if (!row) throw notFound(`Product ${productId} does not exist.`)
  await writes.recordStockEvents([{ productId, sku: row.sku, quantityInStock }])
  return toInventory(row)
}
