// GET /products is read far more often than stock changes, so pages are answered from memory until the data may
// have changed: exactly on SQLite, and on PostgreSQL this dyno's own changes at once and other dynos' within a
// second (db/connect.ts, dataVersion). Orders never rely on it: they take stock with a conditional UPDATE.
import type { Database } from '../db/connect.js'
import type { Page } from '../db/page.js'
import { readCache } from '../db/read-cache.js'
import { listProducts } from './repository.js'
import type { Product } from './schemas.js'

export function productPages(db: Database): (page: Page, includeInactive?: boolean) => Promise<Product[]> {
  const cached = readCache<Product[]>(db.dataVersion)
  return (page, includeInactive = false) =>
    cached(`${page.pageSize}:${page.offset}:${page.after ?? ''}:${includeInactive}`, () =>
      listProducts(db.kysely, page, includeInactive),
    )
}
