// How the admin figures name an org: its 18-character Id, or 'default' for the single-org configuration (the SF_*
// variables or APPLINK_AUTHORIZATION, and the default login), as the publishing tables key it (db/tables.ts).
import { toOrgId18 } from '../orgs/org-id.js'
import { DEFAULT_ORG_KEY } from '../salesforce/product-ids.js'

/** The key of a caller's org: the default org's without an org Id; an Id AppLink sent in its 18-character form. */
export function orgKeyOf(orgId: string | undefined): string {
  if (orgId === undefined) return DEFAULT_ORG_KEY
  try {
    return toOrgId18(orgId)
  } catch {
    // Not an org Id the registry could hold: kept as sent, so the call is still seen.
    return orgId
  }
}
