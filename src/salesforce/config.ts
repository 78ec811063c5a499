// The SF_* variables: how flowcart reaches the org, which fields it writes, and how it batches its events.
import { type Static, Type } from 'typebox'
import { ConfigError, Milliseconds } from '../environment-variables.js'
import {
  DEFAULT_API_VERSION,
  DEFAULT_INVENTORY_EVENT,
  DEFAULT_PRODUCT_MATCH_FIELD,
  DEFAULT_STOCK_FIELD,
} from './names.js'
import { readPrivateKey } from './private-key.js'
import { type ApiSettings, DEFAULT_TIMEOUT_MS, deriveAudience, type SalesforceSettings } from './settings.js'

/** How long the publisher waits after a stock change, so that changes arriving together leave in one call. */
export const DEFAULT_PUBLISH_LINGER_MS = 200

// Salesforce API names: letters, digits and underscores only, so they are safe to put into SOQL.
const SALESFORCE_NAME = '^[A-Za-z][A-Za-z0-9_]*$'

export const SalesforceVariables = Type.Object({
  SF_LOGIN_URL: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'Salesforce login URL, e.g. https://login.salesforce.com.' }),
  ),
  SF_CONSUMER_KEY: Type.Optional(
    Type.String({ minLength: 1, description: "The External Client App's consumer key (JWT iss)." }),
  ),
  SF_USERNAME: Type.Optional(Type.String({ minLength: 1, description: 'Integration user name (JWT sub).' })),
  SF_PRIVATE_KEY: Type.Optional(
    Type.String({ minLength: 1, description: 'RSA private key: PEM, PEM with literal \\n, or base64 of the PEM.' }),
  ),
  SF_PRIVATE_KEY_FILE: Type.Optional(Type.String({ minLength: 1, description: 'Path of a PEM private key file.' })),
  SF_AUDIENCE: Type.Optional(
    Type.String({ pattern: '^https?://', description: 'JWT aud (default derived from SF_LOGIN_URL).' }),
  ),
  SF_API_VERSION: Type.Optional(
    Type.String({ pattern: '^[0-9]{2}\\.0$', description: `REST API version (default ${DEFAULT_API_VERSION}).` }),
  ),
  SF_PRODUCT_MATCH_FIELD: Type.Optional(
    Type.String({
      pattern: SALESFORCE_NAME,
      description: `Product2 field holding the SKU (default ${DEFAULT_PRODUCT_MATCH_FIELD}).`,
    }),
  ),
  SF_STOCK_FIELD: Type.Optional(
    Type.String({
      pattern: SALESFORCE_NAME,
      description: `Product2 field receiving the stock (default ${DEFAULT_STOCK_FIELD}).`,
    }),
  ),
  SF_INVENTORY_EVENT: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z][A-Za-z0-9_]*__e$',
      description: `Platform event published on stock changes (default ${DEFAULT_INVENTORY_EVENT}).`,
    }),
  ),
  SF_TIMEOUT_MS: Milliseconds('Timeout of each Salesforce call', DEFAULT_TIMEOUT_MS),
  SF_PUBLISH_LINGER_MS: Type.Optional(
    Type.String({
      pattern: '^(0|[1-9][0-9]{0,3})$',
      description:
        `How long stock events wait for more before they are published, so changes that arrive together leave ` +
        `in one call, in ms from 0 to 9999 (default ${DEFAULT_PUBLISH_LINGER_MS}).`,
    }),
  ),
})

export interface SalesforceConfig {
  /**
   * The default org's JWT bearer sign-in (basic mode, the single-org SF_* variables); undefined in AppLink mode, which
   * signs in through AppLink, and when SF_PRIVATE_KEY alone is set for the orgs in the registry.
   */
  jwt: SalesforceSettings | undefined
  /** Basic mode: the key every org's sign-in signs with (one certificate, uploaded to each org's app). */
  privateKey: string | undefined
  /** AppLink mode: the authorization flowcart's own calls (the event publisher) use; undefined publishes no events. */
  appLinkAuthorization: string | undefined
  api: ApiSettings
  productMatchField: string
  stockField: string
  inventoryEvent: string
  publishLingerMs: number
}

const REQUIRED = ['SF_LOGIN_URL', 'SF_CONSUMER_KEY', 'SF_USERNAME'] as const
const JWT_VARIABLES = [...REQUIRED, 'SF_PRIVATE_KEY', 'SF_PRIVATE_KEY_FILE', 'SF_AUDIENCE'] as const
type Variables = Static<typeof SalesforceVariables>

/** The names, API version and timing every mode uses. */
function common(vars: Variables) {
  return {
    api: {
      apiVersion: vars.SF_API_VERSION ?? DEFAULT_API_VERSION,
      timeoutMs: Number(vars.SF_TIMEOUT_MS ?? DEFAULT_TIMEOUT_MS),
    },
    productMatchField: vars.SF_PRODUCT_MATCH_FIELD ?? DEFAULT_PRODUCT_MATCH_FIELD,
    stockField: vars.SF_STOCK_FIELD ?? DEFAULT_STOCK_FIELD,
    inventoryEvent: vars.SF_INVENTORY_EVENT ?? DEFAULT_INVENTORY_EVENT,
    publishLingerMs: Number(vars.SF_PUBLISH_LINGER_MS ?? DEFAULT_PUBLISH_LINGER_MS),
  }
}

/**
 * AppLink mode: Salesforce is always on, since every request brings its org and user; the JWT variables have no
 * use there and are refused, so a configuration never looks like it does something it does not.
 */
export function appLinkSalesforceConfig(vars: Variables, authorization: string | undefined): SalesforceConfig {
  const jwtGiven = JWT_VARIABLES.filter((name) => vars[name])
  if (jwtGiven.length > 0) {
    throw new ConfigError(
      `${jwtGiven.join(', ')}: AppLink mode signs in through AppLink, not with the JWT bearer flow; unset them.`,
    )
  }
  return { jwt: undefined, privateKey: undefined, appLinkAuthorization: authorization, ...common(vars) }
}

/**
 * Basic mode: undefined when no SF_* variable is set (Salesforce is then disabled); ConfigError when some are missing.
 * The private key alone is a whole configuration: it signs in to the orgs of the registry (npm run orgs), each with
 * its own login URL, consumer key and user, and there is no default org.
 */
export function salesforceConfig(vars: Variables): SalesforceConfig | undefined {
  const given = Object.keys(vars).filter((name) => name.startsWith('SF_') && vars[name as keyof typeof vars])
  if (given.length === 0) return undefined
  const keyGiven = Boolean(vars.SF_PRIVATE_KEY || vars.SF_PRIVATE_KEY_FILE)
  const defaultOrg = REQUIRED.some((name) => vars[name])
  const missing: string[] = defaultOrg || !keyGiven ? REQUIRED.filter((name) => !vars[name]) : []
  if (!keyGiven) missing.push('SF_PRIVATE_KEY (or SF_PRIVATE_KEY_FILE)')
  if (missing.length > 0) {
    throw new ConfigError(`Salesforce is partly configured (${given.join(', ')} set); also set ${missing.join(', ')}.`)
  }
  let privateKey: string
  try {
    privateKey = readPrivateKey({ value: vars.SF_PRIVATE_KEY, file: vars.SF_PRIVATE_KEY_FILE })
  } catch (error) {
    throw new ConfigError((error as Error).message)
  }
  const settings = common(vars)
  if (!defaultOrg) return { jwt: undefined, privateKey, appLinkAuthorization: undefined, ...settings }
  const loginUrl = vars.SF_LOGIN_URL as string
  return {
    privateKey,
    jwt: {
      loginUrl,
      consumerKey: vars.SF_CONSUMER_KEY as string,
      username: vars.SF_USERNAME as string,
      privateKey,
      audience: vars.SF_AUDIENCE ?? deriveAudience(loginUrl),
      ...settings.api,
    },
    appLinkAuthorization: undefined,
    ...settings,
  }
}
