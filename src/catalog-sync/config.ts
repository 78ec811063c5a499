// The SF_CATALOG_* and SF_PUBSUB_ENDPOINT variables: whether Salesforce is the catalog's master, which org, where the
// Pub/Sub API is, and what becomes of a stock level someone edits in Salesforce.
import { Type } from 'typebox'
import { ConfigError, OneOf } from '../environment-variables.js'
import { toOrgId18 } from '../orgs/org-id.js'
import { DEFAULT_PUBSUB_ENDPOINT } from '../pubsub/pubsub-client.js'
import type { SalesforceConfig } from '../salesforce/config.js'

export const CatalogSyncVariables = Type.Object({
  SF_CATALOG_FROM_SALESFORCE: Type.Optional(
    OneOf(
      ['true', 'false'],
      "Salesforce is the catalog's master: products are imported from Product2 and the standard price book, then follow their change events (true or false; default false).",
    ),
  ),
  SF_CATALOG_MASTER_ORG: Type.Optional(
    Type.String({
      pattern: '^(default|00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?)$',
      description:
        "The org whose products are the catalog: 'default' (the SF_* org or APPLINK_AUTHORIZATION) or a registered org's Id (default: the default org when there is one).",
    }),
  ),
  SF_CATALOG_STOCK_EDITS: Type.Optional(
    OneOf(
      ['overwrite', 'accept'],
      "A stock level someone else edits in Salesforce: overwrite it with flowcart's, or accept it as setInventory (default overwrite).",
    ),
  ),
  SF_CATALOG_CURRENCY: Type.Optional(
    Type.String({
      pattern: '^[A-Z]{3}$',
      description: "Currency of the standard price book's prices, for products new to flowcart (default USD).",
    }),
  ),
  SF_PUBSUB_ENDPOINT: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9.-]+:[0-9]{1,5}$',
      description: `Salesforce Pub/Sub API host:port, always TLS, verified against Node's CAs and NODE_EXTRA_CA_CERTS (default ${DEFAULT_PUBSUB_ENDPOINT}).`,
    }),
  ),
})

export interface CatalogSyncConfig {
  /** 'default', or a registered org's 18-character Id. */
  masterOrg: string
  stockEdits: 'overwrite' | 'accept'
  currencyCode: string
  pubSubEndpoint: string
}

type Variables = { [K in keyof typeof CatalogSyncVariables.properties]?: string }

/** Undefined while SF_CATALOG_FROM_SALESFORCE is not true; ConfigError when it cannot work. */
export function catalogSyncConfig(
  vars: Variables,
  salesforce: SalesforceConfig | undefined,
): CatalogSyncConfig | undefined {
  if (vars.SF_CATALOG_FROM_SALESFORCE !== 'true') {
    const stray = [
      'SF_CATALOG_MASTER_ORG',
      'SF_CATALOG_STOCK_EDITS',
      'SF_CATALOG_CURRENCY',
      'SF_PUBSUB_ENDPOINT',
    ].filter((name) => vars[name as keyof Variables])
    if (stray.length > 0) throw new ConfigError(`${stray.join(', ')} set without SF_CATALOG_FROM_SALESFORCE=true.`)
    return undefined
  }
  if (!salesforce) {
    throw new ConfigError('SF_CATALOG_FROM_SALESFORCE=true needs Salesforce: set the SF_* variables (or AppLink).')
  }
  const defaultOrg = salesforce.jwt !== undefined || salesforce.appLinkAuthorization !== undefined
  const masterOrg = vars.SF_CATALOG_MASTER_ORG ?? (defaultOrg ? 'default' : undefined)
  if (!masterOrg) {
    throw new ConfigError(
      'SF_CATALOG_FROM_SALESFORCE=true without a default org: set SF_CATALOG_MASTER_ORG to the Id of the registered org whose products are the catalog.',
    )
  }
  if (masterOrg === 'default' && !defaultOrg) {
    throw new ConfigError(
      'SF_CATALOG_MASTER_ORG=default, but there is no default org (SF_* variables or APPLINK_AUTHORIZATION).',
    )
  }
  let master = masterOrg
  try {
    if (masterOrg !== 'default') master = toOrgId18(masterOrg)
  } catch (error) {
    throw new ConfigError(`SF_CATALOG_MASTER_ORG is invalid: ${(error as Error).message}`)
  }
  return {
    masterOrg: master,
    stockEdits: vars.SF_CATALOG_STOCK_EDITS === 'accept' ? 'accept' : 'overwrite',
    currencyCode: vars.SF_CATALOG_CURRENCY ?? 'USD',
    pubSubEndpoint: vars.SF_PUBSUB_ENDPOINT ?? DEFAULT_PUBSUB_ENDPOINT,
  }
}
