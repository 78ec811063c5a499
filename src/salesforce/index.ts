// Wires the Salesforce side together for the app: client, stock sync and event publisher, over the token sources
// the app hands in.
import { createSalesforceClient } from './client.js'
import type { SalesforceConfig } from './config.js'
import { createEventPublisher, type Outbox, type PublisherOptions } from './event-publisher.js'
import { createOrgProductIds } from './org-product-ids.js'
import { createStockSync, type ProductIdCache } from './stock-sync.js'
import type { SalesforceLogger, TokenProvider } from './token-provider.js'
import { type UserSession, userSessionTokens } from './user-session.js'

/** What the Salesforce side needs of flowcart's database (src/salesforce-store.ts provides it). */
export interface SalesforceStore extends Outbox, ProductIdCache {
  pendingEvents(): Promise<{ count: number; oldestSince: Date | undefined }>
  /** `listener` runs after every committed stock change. */
  onStockChange(listener: () => void): void
}

export interface SalesforceHealth {
  configured: boolean
  pendingEvents: number
  /** How long the oldest unpublished event has waited. */
  oldestPendingSeconds?: number
  lastPublishedAt?: string
  lastError?: string
}

/**
 * flowcart's own Salesforce side: the event publisher, and getInventory's sync in basic mode. `ownTokens` is how
 * flowcart signs in for it: the integration user's JWT bearer token (basic mode) or an AppLink authorization.
 */
export function createSalesforceIntegration(
  config: SalesforceConfig,
  store: SalesforceStore,
  logger: SalesforceLogger,
  ownTokens: TokenProvider,
  publisherOptions?: PublisherOptions,
) {
  const client = createSalesforceClient(config.api, { tokenProvider: ownTokens, logger })
  const publisher = createEventPublisher(client, store, config, logger, publisherOptions)
  store.onStockChange(() => publisher.changed())
  return {
    stockSync: createStockSync(client, store, config),
    publisher,
    async health(): Promise<SalesforceHealth> {
      const { count, oldestSince } = await store.pendingEvents()
      const oldestPendingSeconds = oldestSince && Math.floor((Date.now() - oldestSince.getTime()) / 1000)
      return {
        configured: true,
        pendingEvents: count,
        ...(oldestPendingSeconds === undefined ? {} : { oldestPendingSeconds }),
        ...publisher.status(),
      }
    },
  }
}

export type SalesforceIntegration = ReturnType<typeof createSalesforceIntegration>

/**
 * The Salesforce side of this configuration: flowcart's own integration when it can sign in by itself (`ownTokens`:
 * the JWT bearer flow in basic mode, an AppLink authorization in AppLink mode), and the stock sync a request uses:
 * the session the request brings (the invoking user's, in AppLink mode), else the integration's.
 */
export function connectSalesforce(
  config: SalesforceConfig,
  store: SalesforceStore,
  logger: SalesforceLogger,
  ownTokens: TokenProvider | undefined,
  publisherOptions?: PublisherOptions,
) {
  const integration = ownTokens && createSalesforceIntegration(config, store, logger, ownTokens, publisherOptions)
  const userStockSync = createUserStockSync(config, logger)
  return {
    integration,
    stockSyncFor: (session: UserSession | undefined) => (session ? userStockSync(session) : integration?.stockSync),
  }
}

/**
 * getInventory's sync as the user whose session a request brings (AppLink mode): each request writes Product2 with
 * its own session, so Salesforce records the user who ran the Flow as the one who changed the record.
 */
function createUserStockSync(config: SalesforceConfig, logger: SalesforceLogger) {
  const productIdsOf = createOrgProductIds()
  return (session: UserSession) => {
    const client = createSalesforceClient(config.api, { tokenProvider: userSessionTokens(session), logger })
    return createStockSync(client, productIdsOf(session.orgId), config)
  }
}
