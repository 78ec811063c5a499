// The catalog's queries: products with their stock, one page at a time or one by one.
import type { Kysely, Selectable } from 'kysely'
import type { ProductsTable, Tables } from '../db/tables.js'
import { fromCents, toIso } from '../db/values.js'
import type { Page } from '../http/schemas.js'
import type { Product } from './schemas.js'

export function toProduct(row: Selectable<ProductsTable>): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price: fromCents(row.price_cents),
    currencyCode: row.currency_code,
    quantityInStock: row.quantity_in_stock,
    updatedAt: toIso(row.updated_at),
  }
}

export async function listProducts(db: Kysely<Tables>, page: Page): Promise<Product[]> {
  const rows = await db
    .selectFrom('products')
    .selectAll()
    .orderBy('id')
    .limit(page.pageSize)
    .offset(page.offset)
    .execute()
  return rows.map(toProduct)
}

export async function findProduct(db: Kysely<Tables>, id: number): Promise<Product | undefined> {
  const row = await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst()
  return row && toProduct(row)
}
