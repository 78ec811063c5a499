import type { Kysely } from 'kysely'
import type { PageQuery } from '../schemas/common.js'
import { type ProductView, toProduct } from './rows.js'
import type { Database } from './tables.js'

export async function listProducts(db: Kysely<Database>, page: Required<PageQuery>): Promise<ProductView[]> {
  const rows = await db
    .selectFrom('products')
    .selectAll()
    .orderBy('id')
    .limit(page.pageSize)
    .offset(page.offset)
    .execute()
  return rows.map(toProduct)
}

export async function findProduct(db: Kysely<Database>, id: number): Promise<ProductView | undefined> {
  const row = await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst()
  return row && toProduct(row)
}
