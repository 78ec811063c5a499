// What one org's Salesforce side needs of flowcart's database (salesforce/index.ts, SalesforceStore), over the
// tables: the outbox as that org sees it (outbox/deliveries.ts), in the events' own shape, its publish calls, and
// its remembered Product2 Ids for the stock sync.
import type { Database } from './db/connect.js'
import { claimDueFor, markDelivered, retryWaitingNowFor, scheduleRetryFor } from './outbox/deliveries.js'
import { pendingFor } from './outbox/org-backlog.js'
import { recordPublishCall } from './outbox/publish-calls.js'
import type { SalesforceStore } from './salesforce/index.js'
import { findSalesforceIds, rememberSalesforceIds } from './salesforce/product-ids.js'

export interface SharedOutbox {
  /** Brings the superseding of older changes up to date, once for every org (outbox/shared-superseding.ts). */
  supersede(): Promise<void>
  /**
   * The orgs published to now, as the registry says (not as this dyno last read it: a dyno that has not yet seen a new
   * org must not settle a change that org still needs). A change every one of them has accepted is settled as sent.
   */
  orgKeys(): Promise<string[]>
}

export function salesforceStore(db: Database, orgKey: string, shared: SharedOutbox): SalesforceStore {
  const { kysely } = db
  return {
    supersedeOlderChanges: () => shared.supersede(),
    claimDueEvents: async (productLimit, leaseMs) =>
      (await claimDueFor(db, orgKey, productLimit, leaseMs)).map((row) => ({
        id: row.id,
        productId: row.product_id,
        sku: row.sku,
        quantityInStock: row.quantity_in_stock,
        attempts: row.attempts,
        changedSince: new Date(row.changed_since),
      })),
    markPublished: async (published) => markDelivered(db, orgKey, published, await shared.orgKeys()),
    scheduleRetry: (events, retryAt, code, reason) =>
      scheduleRetryFor(
        kysely,
        orgKey,
        events.map((event) => ({ productId: event.productId, changeId: event.id })),
        retryAt,
        code,
        reason,
      ),
    retryWaitingNow: (exceptCode) => retryWaitingNowFor(db, orgKey, exceptCode),
    recordCall: (call) => recordPublishCall(kysely, orgKey, call),
    pendingEvents: () => pendingFor(kysely, orgKey),
    findSalesforceIds: (productIds, missingSince) => findSalesforceIds(kysely, orgKey, productIds, missingSince),
    rememberSalesforceIds: (ids) => rememberSalesforceIds(kysely, orgKey, ids),
  }
}
