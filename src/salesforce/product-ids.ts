// The Product2 record Id of each product in each org, remembered so that a warm stock sync needs no look-up; a
// product that the org does not have is remembered as missing for a while, so it does not cost a query on every
// sync. The default org's (the single-org configuration's) are kept on the products themselves, as before there were
// several orgs; every other org's in org_product_ids.
import type { Kysely } from 'kysely'
import { caseById } from '../db/case-by-id.js'
import type { Tables } from '../db/tables.js'

/** The key of the single-org configuration (SF_* variables, APPLINK_AUTHORIZATION) where orgs are keyed. */
export const DEFAULT_ORG_KEY = 'default'

/** The remembered Id, or null when a look-up after `missingSince` found no Product2. */
export async function findSalesforceIds(
  db: Kysely<Tables>,
  orgKey: string,
  productIds: number[],
  missingSince: Date,
): Promise<Map<number, string | null>> {
  if (productIds.length === 0) return new Map()
  if (orgKey !== DEFAULT_ORG_KEY) {
    const rows = await db
      .selectFrom('org_product_ids')
      .select(['product_id', 'salesforce_id'])
      .where('org_key', '=', orgKey)
      .where('product_id', 'in', productIds)
      .where((eb) => eb.or([eb('salesforce_id', 'is not', null), eb('checked_at', '>=', missingSince.toISOString())]))
      .execute()
    return new Map(rows.map((row) => [row.product_id, row.salesforce_id]))
  }
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

/** Stores what a look-up found: an Id, or null for "the org has no such product" (as of now). One statement. */
export async function rememberSalesforceIds(
  db: Kysely<Tables>,
  orgKey: string,
  ids: Map<number, string | null>,
): Promise<void> {
  if (ids.size === 0) return
  const now = new Date().toISOString()
  if (orgKey !== DEFAULT_ORG_KEY) {
    await db
      .insertInto('org_product_ids')
      .values(
        [...ids].map(([productId, salesforceId]) => ({
          org_key: orgKey,
          product_id: productId,
          salesforce_id: salesforceId,
          checked_at: now,
        })),
      )
      .onConflict((conflict) =>
        conflict.columns(['org_key', 'product_id']).doUpdateSet((eb) => ({
          salesforce_id: eb.ref('excluded.salesforce_id'),
          checked_at: eb.ref('excluded.checked_at'),
        })),
      )
      .execute()
    return
  }
  const idOf = caseById<string | null>(ids, 'text')
  await db
    .updateTable('products')
    .set({ salesforce_id: idOf, salesforce_checked_at: now })
    .where('id', 'in', [...ids.keys()])
    .execute()
}
