// Wires the Salesforce side together for the app: token provider, client, stock sync and event publisher.
import { createSalesforceClient } from './client.js'
import type { SalesforceConfig } from './config.js'
import { createEventPublisher, type Outbox, type PublisherOptions } from './event-publisher.js'
import { createStockSync, type ProductIdCache } from './stock-sync.js'
import { createTokenProvider, type SalesforceLogger } from './token-provider.js'

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

export function createSalesforceIntegration(
  config: SalesforceConfig,
  store: SalesforceStore,
  logger: SalesforceLogger,
  publisherOptions?: PublisherOptions,
) {
  const tokenProvider = createTokenProvider(config.settings, { logger })
  const client = createSalesforceClient(config.settings, { tokenProvider, logger })
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
