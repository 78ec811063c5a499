// The Product2 record Id of each product, remembered so that a warm stock sync needs no look-up.
import type { Kysely } from 'kysely'
import type { Database } from './tables.js'

export async function findSalesforceIds(db: Kysely<Database>, productIds: number[]): Promise<Map<number, string>> {
  if (productIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('products')
    .select(['id', 'salesforce_id'])
    .where('id', 'in', productIds)
    .where('salesforce_id', 'is not', null)
    .execute()
  return new Map(rows.map((row) => [row.id, row.salesforce_id as string]))
}

export async function rememberSalesforceIds(db: Kysely<Database>, ids: Map<number, string | null>): Promise<void> {
  if (ids.size === 0) return
  await db.transaction().execute(async (trx) => {
    for (const [productId, salesforceId] of ids) {
      await trx.updateTable('products').set({ salesforce_id: salesforceId }).where('id', '=', productId).execute()
    }
  })
}
