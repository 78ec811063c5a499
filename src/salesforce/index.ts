// Wires the Salesforce side together for the app: token provider, client, stock sync and event publisher.
import { appLinkAuthorizationTokens } from '../applink/authorization.js'
import type { Invoker } from '../applink/client-context.js'
import type { OrgOriginCheck } from '../applink/org-url.js'
import type { AppLinkSdk } from '../applink/sdk.js'
import { createSalesforceClient } from './client.js'
import type { SalesforceConfig } from './config.js'
import { sessionRefused } from './errors.js'
import { createEventPublisher, type Outbox, type PublisherOptions } from './event-publisher.js'
import { createOrgProductIds } from './org-product-ids.js'
import { createStockSync, type ProductIdCache } from './stock-sync.js'
import {
  createTokenProvider,
  type SalesforceLogger,
  type SalesforceToken,
  type TokenProvider,
} from './token-provider.js'

/** What the Salesforce side needs of the store (src/store.ts provides it). */
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

/** AppLink mode's means: the SDK, and the check of the org URLs it hands over (applink/org-url.ts). */
export interface AppLinkSide {
  sdk: AppLinkSdk
  orgOriginOf: OrgOriginCheck
}

/**
 * The Salesforce side of this configuration: flowcart's own integration when it can sign in by itself (the JWT
 * bearer flow in basic mode, an AppLink authorization in AppLink mode), and the stock sync a request uses: the
 * invoking user's in AppLink mode, the integration user's in basic mode.
 */
export function connectSalesforce(
  config: SalesforceConfig,
  store: SalesforceStore,
  logger: SalesforceLogger,
  appLink: AppLinkSide | undefined,
  publisherOptions?: PublisherOptions,
) {
  const ownTokens =
    appLink && config.appLinkAuthorization
      ? appLinkAuthorizationTokens(config.appLinkAuthorization, appLink.sdk, appLink.orgOriginOf, logger)
      : config.jwt && createTokenProvider(config.jwt, { logger })
  const integration = ownTokens && createSalesforceIntegration(config, store, logger, ownTokens, publisherOptions)
  const invokerStockSync = appLink && createInvokerStockSync(config, logger)
  return {
    integration,
    stockSyncFor: (invoker: Invoker | undefined) => (invoker ? invokerStockSync?.(invoker) : integration?.stockSync),
  }
}

/**
 * getInventory's sync as the invoking user (AppLink mode): each request writes Product2 with its own session, so
 * Salesforce records the user who ran the Flow as the one who changed the record.
 */
function createInvokerStockSync(config: SalesforceConfig, logger: SalesforceLogger) {
  const productIdsOf = createOrgProductIds()
  return (session: SalesforceToken & { orgId: string }) => {
    // The request's own session cannot be renewed here: once Salesforce refuses it, the call fails with that reason.
    let refused = false
    const tokenProvider: TokenProvider = {
      getToken: async () => {
        if (!refused) return session
        throw sessionRefused("Salesforce refused the invoking user's session that AppLink passed on")
      },
      invalidate: () => {
        refused = true
      },
    }
    const client = createSalesforceClient(config.api, { tokenProvider, logger })
    return createStockSync(client, productIdsOf(session.orgId), config)
  }
}
