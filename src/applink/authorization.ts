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
import type { OrgOriginCheck } from './org-url.js'
import type { AppLinkSdk } from './sdk.js'

export function appLinkAuthorizationTokens(
  name: string,
  sdk: AppLinkSdk,
  orgOriginOf: OrgOriginCheck,
  logger: SalesforceLogger,
): TokenProvider {
  // Failures are thrown, not logged: the publisher logs each, once, with its reason.
  async function read(): Promise<SalesforceToken> {
    let org: Awaited<ReturnType<AppLinkSdk['getAuthorization']>>
    try {
      org = await sdk.getAuthorization(name)
    } catch (error) {
      // The SDK's message is AppLink's title and detail, or the HTTP failure: never a token.
      const reason = (error as Error).message
      throw new SalesforceAuthError(
        'APPLINK_AUTHORIZATION',
        reason,
        `The AppLink authorization ${name} could not be read: ${reason}`,
      )
    }
    // The add-on's API is the operator's, yet its answer is held to the rule of every org URL: a token flowcart
    // holds goes to Salesforce or to an origin the operator listed, never to whatever an answer names.
    const instanceUrl = orgOriginOf(org.domainUrl)
    if (instanceUrl === undefined) {
      const host = URL.canParse(org.domainUrl) ? new URL(org.domainUrl).host : 'not a URL'
      throw new SalesforceAuthError(
        'APPLINK_AUTHORIZATION',
        'untrusted org URL',
        `The AppLink authorization ${name} names an org URL (${host}) that is neither a Salesforce My Domain nor in APPLINK_TRUSTED_ORG_ORIGINS`,
      )
    }
    logger.info({ authorizationName: name, instanceHost: new URL(instanceUrl).host }, 'read AppLink authorization')
    return { accessToken: org.dataApi.accessToken, instanceUrl, ...(org.id ? { orgId: org.id } : {}) }
  }

  return cachedToken(read)
}
