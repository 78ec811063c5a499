// A session a user lent for the calls of one request (in AppLink mode, the invoking user's, which AppLink passes on):
// calls made with it act as that user. It cannot be renewed here: once Salesforce refuses it, the calls fail with that
// reason.
import { sessionRefused } from './errors.js'
import type { SalesforceToken, TokenProvider } from './token-provider.js'

/** A user's session on an org, and the org's Id (each org has its own Product2 Ids). */
export interface UserSession extends SalesforceToken {
  orgId: string
}

export function userSessionTokens(session: SalesforceToken): TokenProvider {
  let refused = false
  return {
    getToken: async () => {
      if (!refused) return session
      throw sessionRefused("Salesforce refused the invoking user's session that AppLink passed on")
    },
    invalidate: () => {
      refused = true
    },
  }
}
