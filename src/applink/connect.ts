// AppLink mode's part in the app: the x-client-context check of the business routes, and flowcart's own sign-in
// through an AppLink authorization, one of the token sources the Salesforce side takes.
import type { FastifyInstance } from 'fastify'
import type { SalesforceLogger, TokenProvider } from '../salesforce/token-provider.js'
import { appLinkAuthorizationTokens } from './authorization.js'
import { clientContextAuth } from './client-context.js'
import type { AppLinkConfig } from './config.js'
import { orgOriginCheck } from './org-url.js'
import { loadAppLinkSdk } from './sdk.js'

export interface AppLink {
  /** Installs the x-client-context check on a plugin's routes: each request gets its invoker, or a 401. */
  authenticate(app: FastifyInstance): Promise<void>
  /** flowcart's own tokens, read from the AppLink authorization `name` (the event publisher signs in with them). */
  authorizationTokens(name: string, logger: SalesforceLogger): TokenProvider
}

export async function connectAppLink(config: AppLinkConfig): Promise<AppLink> {
  const sdk = await loadAppLinkSdk()
  // Every org URL AppLink hands over, in a client context or an authorization, is held to this one check.
  const orgOriginOf = orgOriginCheck(config.trustedOrgOrigins)
  return {
    authenticate: clientContextAuth(sdk, orgOriginOf),
    authorizationTokens: (name, logger) => appLinkAuthorizationTokens(name, sdk, orgOriginOf, logger),
  }
}
