// The catalog the Salesforce benchmark rows order from, and the login they order with: products inserted directly,
// each with stock enough that no order of a run is refused.
import type { Database } from '../../src/db/connect.js'

export const BENCH_PASSWORD = 'bench-password-0123456789'
export const benchHeaders = { authorization: `Basic ${Buffer.from(`flowcart:${BENCH_PASSWORD}`).toString('base64')}` }

/** Products `ids`, named after their id, with the SKU `skuOf(id)` and `stock` units each. */
export async function insertBenchProducts(
  db: Database,
  ids: number[],
  skuOf: (id: number) => string,
  stock: number,
): Promise<void> {
  const now = new Date().toISOString()
  await db.kysely
    .insertInto('products')
    .values(
      ids.map((id) => ({
        sku: skuOf(id),
        name: `Product ${id}`,
        description: 'Benchmark product.',
        price_cents: 100,
        currency_code: 'USD',
        quantity_in_stock: stock,
        updated_at: now,
      })),
    )
    .execute()
}
