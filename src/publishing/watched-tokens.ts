// A token source whose state the admin's status page can show: never asked yet, holding a token, refused by the org,
// or failing for another reason (Salesforce down or slow). Per process: each dyno signs in by itself.
import { SalesforceAuthError } from '../salesforce/errors.js'
import type { TokenProvider } from '../salesforce/token-provider.js'

export type TokenState = 'valid' | 'not-requested' | 'refused' | 'failing'

export function watchedTokens(tokens: TokenProvider): TokenProvider & { state(): TokenState } {
  let state: TokenState = 'not-requested'
  return {
    async getToken() {
      try {
        const token = await tokens.getToken()
        state = 'valid'
        return token
      } catch (error) {
        state = error instanceof SalesforceAuthError ? 'refused' : 'failing'
        throw error
      }
    },
    invalidate(accessToken) {
      tokens.invalidate(accessToken)
    },
    state: () => state,
  }
}
