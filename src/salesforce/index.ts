// Wires the Salesforce side of one org together: client, stock sync and event publisher, over the token source and
// the view of flowcart's database that org has (src/publishing/ makes one per org).
import { createSalesforceClient } from './client.js'
import type { SalesforceConfig } from './config.js'
import { createEventPublisher, type PublisherOptions } from './event-publisher.js'
import { createOrgProductIds } from './org-product-ids.js'
import type { Outbox } from './outbox-port.js'
import { createStockSync, type ProductIdCache } from './stock-sync.js'
import type { SalesforceLogger, TokenProvider } from './token-provider.js'
import { type UserSession, userSessionTokens } from './user-session.js'

/** What one org's Salesforce side needs of flowcart's database (src/salesforce-store.ts provides it). */
export interface SalesforceStore extends Outbox, ProductIdCache {
  /** The events this org still lacks (one per product), and since when the oldest change among them has waited. */
  pendingEvents(): Promise<{ count: number; oldestSince: Date | undefined }>
}

/**
 * flowcart's own Salesforce side in one org: the event publisher, and getInventory's sync in basic mode. `ownTokens`
 * is how flowcart signs in to it: the integration user's JWT bearer token (basic mode) or an AppLink authorization.
 */
export function createSalesforceIntegration(
  config: SalesforceConfig,
  store: SalesforceStore,
  logger: SalesforceLogger,
  ownTokens: TokenProvider,
  publisherOptions?: PublisherOptions,
) {
  const client = createSalesforceClient(config.api, { tokenProvider: ownTokens, logger })
  return {
    /** The org's REST API as flowcart's own user (the catalog's queries, src/catalog-sync/). */
    client,
    stockSync: createStockSync(client, store, config),
    publisher: createEventPublisher(client, store, config, logger, publisherOptions),
    pendingEvents: () => store.pendingEvents(),
  }
}

export type SalesforceIntegration = ReturnType<typeof createSalesforceIntegration>

/**
 * getInventory's sync as the user whose session a request brings (AppLink mode): each request writes Product2 with
 * its own session, so Salesforce records the user who ran the Flow as the one who changed the record.
 */
export function createUserStockSync(config: SalesforceConfig, logger: SalesforceLogger) {
  const productIdsOf = createOrgProductIds()
  return (session: UserSession) => {
    const client = createSalesforceClient(config.api, { tokenProvider: userSessionTokens(session), logger })
    return createStockSync(client, productIdsOf(session.orgId), config)
  }
}
