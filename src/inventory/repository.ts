// The inventory's queries: stock levels read, and one product's stock set.
import type { Kysely, Selectable } from 'kysely'
import type { ProductsTable, Tables } from '../db/tables.js'
import { toIso } from '../db/values.js'
import type { Inventory } from './schemas.js'

type StockRow = Pick<Selectable<ProductsTable>, 'id' | 'sku' | 'quantity_in_stock' | 'updated_at'>

const stockColumns = ['id', 'sku', 'quantity_in_stock', 'updated_at'] as const

export function toInventory(row: StockRow): Inventory {
  return { productId: row.id, sku: row.sku, quantityInStock: row.quantity_in_stock, updatedAt: toIso(row.updated_at) }
}

/** Every product's stock, or one product's (an empty list when it does not exist). */
export async function listInventory(db: Kysely<Tables>, productId?: number): Promise<Inventory[]> {
  let query = db.selectFrom('products').select(stockColumns).orderBy('id')
  if (productId !== undefined) query = query.where('id', '=', productId)
  return (await query.execute()).map(toInventory)
}

/** Undefined when the product does not exist. */
export async function updateStock(
  trx: Kysely<Tables>,
  productId: number,
  quantityInStock: number,
): Promise<Inventory | undefined> {
  const row = await trx
    .updateTable('products')
    .set({ quantity_in_stock: quantityInStock, updated_at: new Date().toISOString() })
    .where('id', '=', productId)
    .returning(stockColumns)
    .executeTakeFirst()
  return row && toInventory(row)
}
