// The event publisher's sign-in in AppLink mode: it has no request to borrow a session from, so it uses an AppLink
// authorization (heroku salesforce:authorizations:add <name>), read through @heroku/applink's getAuthorization.
// The token is kept until Salesforce refuses it, then read again, like the JWT bearer token of basic mode.
import { SalesforceAuthError } from '../salesforce/errors.js'
import {
  cachedToken,
  type SalesforceLogger,
  type SalesforceToken,
  type TokenProvider,
} from '../salesforce/token-provider.js'
import type { AppLinkSdk } from './sdk.js'

export function appLinkAuthorizationTokens(name: string, sdk: AppLinkSdk, logger: SalesforceLogger): TokenProvider {
  async function read(): Promise<SalesforceToken> {
    try {
      const org = await sdk.getAuthorization(name)
      logger.info({ authorizationName: name, instanceHost: new URL(org.domainUrl).host }, 'read AppLink authorization')
      return { accessToken: org.dataApi.accessToken, instanceUrl: org.domainUrl }
    } catch (error) {
      // The SDK's message is AppLink's title and detail, or the HTTP failure: never a token.
      const reason = (error as Error).message
      logger.warn({ authorizationName: name, reason }, 'AppLink authorization could not be read')
      throw new SalesforceAuthError(
        'APPLINK_AUTHORIZATION',
        reason,
        `The AppLink authorization ${name} could not be read: ${reason}`,
      )
    }
  }

  return cachedToken(read)
}
