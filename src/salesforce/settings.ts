// How flowcart reaches Salesforce, and which JWT audience a login URL implies.

/** What every call to the REST API needs, however flowcart signed in. */
export interface ApiSettings {
  /** REST API version without the `v`, e.g. '63.0'. */
  apiVersion: string
  /** Upper bound for one exchange with Salesforce (token request, or one REST request with its single refresh). */
  timeoutMs: number
}

/** The JWT bearer sign-in of the integration user. */
export interface SalesforceSettings extends ApiSettings {
  /** Where the token request goes, e.g. https://login.salesforce.com or a My Domain URL. */
  loginUrl: string
  /** The External Client App's (or Connected App's) consumer key (the assertion's `iss`). */
  consumerKey: string
  /** The integration user (the assertion's `sub`). */
  username: string
  /** PEM of the RSA key whose certificate is on that app (npm run salesforce:keys makes both). */
  privateKey: string
  /** The assertion's `aud`; see deriveAudience. */
  audience: string
}

export const DEFAULT_TIMEOUT_MS = 10_000

const PRODUCTION_AUDIENCE = 'https://login.salesforce.com'
const SANDBOX_AUDIENCE = 'https://test.salesforce.com'

// Salesforce accepts only login/test as `aud` (a My Domain URL gives "audience is invalid"), so the login host
// decides. Any other host (a loopback emulator, a proxy) is taken as its own audience.
export function deriveAudience(loginUrl: string): string {
  const url = new URL(loginUrl)
  const host = url.hostname.toLowerCase()
  if (
    host === 'test.salesforce.com' ||
    host.endsWith('.sandbox.my.salesforce.com') ||
    /^cs\d+\.salesforce\.com$/.test(host)
  ) {
    return SANDBOX_AUDIENCE
  }
  if (host === 'salesforce.com' || host.endsWith('.salesforce.com') || host.endsWith('.force.com')) {
    return PRODUCTION_AUDIENCE
  }
  return loginUrl.replace(/\/+$/, '')
}
