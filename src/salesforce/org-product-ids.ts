// The Product2 Ids of each org, in memory, for getInventory as the invoking user (AppLink mode). The database's
// cache (product-ids.ts) holds one org's Ids; in AppLink mode users of several orgs may call, and one user may not
// see a record another user can. So each org has its own map, and only found Ids are kept: a product a user's
// look-up did not find is looked up again on the next sync. Lost on restart, like any process cache.
import type { ProductIdCache } from './stock-sync.js'

export function createOrgProductIds() {
  const byOrg = new Map<string, Map<number, string>>()
  return (orgId: string): ProductIdCache => {
    let ids = byOrg.get(orgId)
    if (!ids) {
      ids = new Map()
      byOrg.set(orgId, ids)
    }
    const known = ids
    return {
      async findSalesforceIds(productIds) {
        return new Map(productIds.flatMap((id) => (known.has(id) ? [[id, known.get(id) as string]] : [])))
      },
      async rememberSalesforceIds(found) {
        for (const [productId, salesforceId] of found) {
          if (salesforceId) known.set(productId, salesforceId)
          else known.delete(productId)
        }
      },
    }
  }
}
