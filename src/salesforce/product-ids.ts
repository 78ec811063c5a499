// The Product2 record Id of each product, remembered so that a warm stock sync needs no look-up; a product that
// Salesforce does not have is remembered as missing for a while, so it does not cost a query on every sync.
import type { Kysely } from 'kysely'
import { caseById } from '../db/case-by-id.js'
import type { Tables } from '../db/tables.js'

/** The remembered Id, or null when a look-up after `missingSince` found no Product2. */
export async function findSalesforceIds(
  db: Kysely<Tables>,
  productIds: number[],
  missingSince: Date,
): Promise<Map<number, string | null>> {
  if (productIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('products')
    .select(['id', 'salesforce_id'])
    .where('id', 'in', productIds)
    .where((eb) =>
      eb.or([eb('salesforce_id', 'is not', null), eb('salesforce_checked_at', '>=', missingSince.toISOString())]),
    )
    .execute()
  return new Map(rows.map((row) => [row.id, row.salesforce_id]))
}

/** Stores what a look-up found: an Id, or null for "Salesforce has no such product" (as of now). One statement. */
export async function rememberSalesforceIds(db: Kysely<Tables>, ids: Map<number, string | null>): Promise<void> {
  if (ids.size === 0) return
  const idOf = caseById<string | null>(ids, 'text')
  await db
    .updateTable('products')
    .set({ salesforce_id: idOf, salesforce_checked_at: new Date().toISOString() })
    .where('id', 'in', [...ids.keys()])
    .execute()
}
