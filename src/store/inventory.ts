// Reading and setting stock levels.
import type { Kysely } from 'kysely'
import { notFound } from '../errors.js'
import { type InventoryView, toInventory } from './rows.js'
import { recordStockEvents } from './stock-events.js'
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
  scope: TransactionScope,
  productId: number,
  quantityInStock: number,
  recordEvents: boolean,
): Promise<InventoryView> {
  const { run, db } = scope
  const query = db
    .updateTable('products')
    .set({ quantity_in_stock: quantityInStock, updated_at: new Date().toISOString() })
    .where('id', '=', productId)
    .returning(inventoryColumns)
  const [row] = (await run(query.compile())).rows
  if (!row) throw notFound(`Product ${productId} does not exist.`)
  if (recordEvents) await recordStockEvents(scope, [{ productId, sku: row.sku, quantityInStock }])
  return toInventory(row)
}
