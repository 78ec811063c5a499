// The catalog's queries: products with their stock, one page at a time or one by one, and a product's own fields.
import type { Kysely, Selectable, Updateable } from 'kysely'
import type { Page } from '../db/page.js'
import type { ProductsTable, Tables } from '../db/tables.js'
import { fromCents, toIso } from '../db/values.js'
import type { Product } from './schemas.js'

export function toProduct(row: Selectable<ProductsTable>): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price: fromCents(row.price_cents),
    currencyCode: row.currency_code,
    active: row.archived_at === null,
    quantityInStock: row.quantity_in_stock,
    updatedAt: toIso(row.updated_at),
  }
}

/** A product's own fields as stored: what creating or changing it writes. */
export interface ProductFields {
  name: string
  description: string
  price_cents: number
  currency_code: string
  archived_at: string | null
}

/** Products by id; with `after`, from the id after it, read from the primary key's index at that id. */
export async function listProducts(db: Kysely<Tables>, page: Page, includeInactive: boolean): Promise<Product[]> {
  const { after } = page
  const rows = await db
    .selectFrom('products')
    .selectAll()
    .$if(!includeInactive, (query) => query.where('archived_at', 'is', null))
    .$if(after !== undefined, (query) => query.where('id', '>', after as number))
    .orderBy('id')
    .limit(page.pageSize)
    .offset(page.offset)
    .execute()
  return rows.map(toProduct)
}

/** The product's row as stored, for a change that compares with it. */
export function findProductRow(db: Kysely<Tables>, id: number): Promise<Selectable<ProductsTable> | undefined> {
  return db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function findProduct(db: Kysely<Tables>, id: number): Promise<Product | undefined> {
  const row = await findProductRow(db, id)
  return row && toProduct(row)
}

export function findProductsBySku(db: Kysely<Tables>, skus: string[]): Promise<Selectable<ProductsTable>[]> {
  return db.selectFrom('products').selectAll().where('sku', 'in', skus).execute()
}

/** Undefined when another product has the SKU (nothing is written then). */
export async function insertProduct(
  trx: Kysely<Tables>,
  sku: string,
  fields: ProductFields,
  quantityInStock: number,
): Promise<Product | undefined> {
  const row = await trx
    .insertInto('products')
    .values({ sku, ...fields, quantity_in_stock: quantityInStock, updated_at: new Date().toISOString() })
    .onConflict((conflict) => conflict.column('sku').doNothing())
    .returningAll()
    .executeTakeFirst()
  return row && toProduct(row)
}

/** Undefined when the product does not exist. */
export async function updateProductRow(
  trx: Kysely<Tables>,
  id: number,
  changes: Updateable<ProductsTable>,
): Promise<Product | undefined> {
  const row = await trx
    .updateTable('products')
    .set({ ...changes, updated_at: new Date().toISOString() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
  return row && toProduct(row)
}
