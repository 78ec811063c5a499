// What the Salesforce side needs of flowcart's database (salesforce/index.ts, SalesforceStore), over the tables: the
// outbox for the event publisher, in the events' own shape, and the remembered Product2 Ids for the stock sync.
import type { Selectable } from 'kysely'
import type { Database } from './db/connect.js'
import type { StockEventsTable } from './db/tables.js'
import {
  claimDueEvents,
  markPublished,
  pendingEvents,
  retryWaitingNow,
  scheduleRetry,
  supersedeOlderChanges,
} from './outbox/repository.js'
import type { StockEventOutbox } from './outbox/stock-event-outbox.js'
import type { StockEvent } from './salesforce/event-publisher.js'
import type { SalesforceStore } from './salesforce/index.js'
import { findSalesforceIds, rememberSalesforceIds } from './salesforce/product-ids.js'

const toStockEvent = (row: Selectable<StockEventsTable>): StockEvent => ({
  id: row.id,
  productId: row.product_id,
  sku: row.sku,
  quantityInStock: row.quantity_in_stock,
  attempts: row.attempts,
})

export function salesforceStore(db: Database, stockEvents: StockEventOutbox): SalesforceStore {
  const { kysely } = db
  return {
    onStockChange: (listener) => stockEvents.onCommitted(listener),
    supersedeOlderChanges: (afterId) => supersedeOlderChanges(db, afterId),
    claimDueEvents: async (productLimit, leaseMs) =>
      (await claimDueEvents(db, productLimit, leaseMs)).map(toStockEvent),
    markPublished: (published) => markPublished(db, published),
    scheduleRetry: (ids, retryAt, code, reason) => scheduleRetry(kysely, ids, retryAt, code, reason),
    retryWaitingNow: (exceptCode) => retryWaitingNow(db, exceptCode),
    pendingEvents: () => pendingEvents(kysely),
    findSalesforceIds: (productIds, missingSince) => findSalesforceIds(kysely, productIds, missingSince),
    rememberSalesforceIds: (ids) => rememberSalesforceIds(kysely, ids),
  }
}
