// OAuth 2.0 JWT bearer tokens for the integration user: signed, cached, fetched once for all concurrent callers.
import jwt from 'jsonwebtoken'
import pino, { type Logger } from 'pino'
import { SalesforceAuthError, SalesforceUnavailableError, toSalesforceError } from './errors.js'
import type { SalesforceSettings } from './settings.js'

export type SalesforceLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>

export interface SalesforceToken {
  accessToken: string
  instanceUrl: string
  /**
   * The 18-character Id of the org the token is for, when the sign-in says it: the token response's identity URL
   * (`id`, https://login.salesforce.com/id/<orgId>/<userId>) or AppLink's authorization. The Pub/Sub API needs it.
   */
  orgId?: string
}

export interface TokenProvider {
  /** The cached token, or a new one; concurrent callers share a single token request. */
  getToken(): Promise<SalesforceToken>
  /** Forgets the cached token, but only if it is still `accessToken` (a newer one is kept). */
  invalidate(accessToken: string): void
}

export interface TokenProviderDeps {
  fetch?: typeof fetch
  logger?: SalesforceLogger
}

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
// Salesforce wants exp "within 3 minutes"; the assertion is used once, straight away.
const ASSERTION_TTL_S = 180
/** The assertion could not be signed: no request reached Salesforce. */
const UNSIGNED = 'assertion_not_signed'

export function createTokenProvider(settings: SalesforceSettings, deps: TokenProviderDeps = {}): TokenProvider {
  const fetchFn = deps.fetch ?? fetch
  const logger = deps.logger ?? pino({ enabled: false })
  const tokenUrl = `${settings.loginUrl.replace(/\/+$/, '')}/services/oauth2/token`
  async function requestToken(): Promise<SalesforceToken> {
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    logger.debug('requested Salesforce token')
    try {
      const token = await exchangeAssertion(fetchFn, tokenUrl, sign(settings), settings.timeoutMs)
      logger.info({ instanceHost: new URL(token.instanceUrl).host, durationMs: elapsed() }, 'obtained Salesforce token')
      return token
    } catch (err) {
      const mapped = toSalesforceError(err)
      // Salesforce's words are logged once, by whoever answers for the failure (the error handler, the publisher).
      // A refused sign-in is named here by Salesforce's OAuth error code (invalid_grant, invalid_client_id…), which
      // salesforce/README.md's troubleshooting table starts from; the assertion and the key never reach the log.
      if (mapped instanceof SalesforceAuthError && mapped.error !== UNSIGNED) {
        logger.info({ code: mapped.error, durationMs: elapsed() }, `Salesforce refused: ${mapped.error}`)
      } else {
        logger.debug({ code: mapped.code, durationMs: elapsed() }, 'Salesforce token request failed')
      }
      throw mapped
    }
  }

  return cachedToken(requestToken)
}

/** Keeps the token `request` obtained until it is invalidated; concurrent callers share one request. */
export function cachedToken(request: () => Promise<SalesforceToken>): TokenProvider {
  let cached: SalesforceToken | undefined
  let inFlight: Promise<SalesforceToken> | undefined
  return {
    getToken() {
      if (cached) return Promise.resolve(cached)
      // A failed request leaves nothing behind: the next caller starts afresh, and nobody retries in a loop.
      inFlight ??= request()
        .then((token) => {
          cached = token
          return token
        })
        .finally(() => {
          inFlight = undefined
        })
      return inFlight
    },
    invalidate(accessToken) {
      if (cached?.accessToken === accessToken) cached = undefined
    },
  }
}

function sign({ consumerKey, username, audience, privateKey }: SalesforceSettings): string {
  try {
    return jwt.sign({ iss: consumerKey, sub: username, aud: audience }, privateKey, {
      algorithm: 'RS256',
      expiresIn: ASSERTION_TTL_S,
    })
  } catch (err) {
    // jsonwebtoken's messages describe the key's type or size, never its content.
    throw new SalesforceAuthError(UNSIGNED, (err as Error).message)
  }
}

async function exchangeAssertion(
  fetchFn: typeof fetch,
  tokenUrl: string,
  assertion: string,
  timeoutMs: number,
): Promise<SalesforceToken> {
  const response = await fetchFn(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: GRANT_TYPE, assertion }).toString(),
    signal: AbortSignal.timeout(timeoutMs),
  })
  const text = await response.text()
  const body = parseJson(text)
  if (response.status >= 500) {
    throw new SalesforceUnavailableError(`Salesforce token endpoint answered HTTP ${response.status}`)
  }
  if (!response.ok) {
    if (typeof body.error === 'string') {
      throw new SalesforceAuthError(
        body.error,
        typeof body.error_description === 'string' ? body.error_description : '',
      )
    }
    throw new SalesforceAuthError('unexpected_response', `HTTP ${response.status} from the token endpoint`)
  }
  const { access_token: accessToken, instance_url: instanceUrl, id } = body
  if (typeof accessToken !== 'string' || typeof instanceUrl !== 'string' || !URL.canParse(instanceUrl)) {
    throw new SalesforceUnavailableError('Salesforce token endpoint returned no usable access_token/instance_url')
  }
  const orgId = orgIdOfIdentityUrl(id)
  return { accessToken, instanceUrl: instanceUrl.replace(/\/+$/, ''), ...(orgId ? { orgId } : {}) }
}

// "https://login.salesforce.com/id/orgID/userID, where orgId is the ID of the Salesforce org that the user belongs to"
// (Mobile SDK guide, oauth-using-identity-urls.html); the token response's `id` is that URL.
function orgIdOfIdentityUrl(id: unknown): string | undefined {
  if (typeof id !== 'string' || !URL.canParse(id)) return undefined
  return /^\/id\/(00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)\/[A-Za-z0-9]+\/?$/.exec(new URL(id).pathname)?.[1]
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
