// The store: one object with the business actions the routes call, on SQLite or PostgreSQL alike.
import { sql } from 'kysely'
import type { PageQuery } from '../schemas/common.js'
import { changeCounter } from './change-counter.js'
import { type Connection, type ConnectionErrorListener, connect, describeDatabaseUrl, type Engine } from './connect.js'
import { seedDemoCatalog } from './demo-catalog.js'
import { purgeExpiredKeys } from './idempotency.js'
import { listInventory, setStock } from './inventory.js'
import { migrate } from './migrations.js'
import { findOrder, listOrders, type OrderRequest, placeOrder } from './orders.js'
import { findProduct, listProducts } from './products.js'
import { readCache } from './read-cache.js'
import type { ProductView } from './rows.js'
import { findSalesforceIds, rememberSalesforceIds } from './salesforce-ids.js'
import { claimDueEvents, markPublished, pendingEvents, purgeSentEvents, scheduleRetry } from './stock-events.js'
import { writeTransactions } from './write-transactions.js'

export type { OrderRequest, PlacedOrder, StockChange } from './orders.js'
export type { InventoryView, OrderView, ProductView } from './rows.js'
export type { PendingStockEvent } from './stock-events.js'

export { describeDatabaseUrl }

export interface StoreOptions {
  databaseUrl: string | undefined
  seedDemoData: boolean
  /** Write an outbox row in the transaction of every stock change (when Salesforce is configured). */
  recordStockEvents?: boolean
  poolSize?: number
  poolWaitMs?: number
  onConnectionError?: ConnectionErrorListener
}

export type Store = Awaited<ReturnType<typeof openStore>>

export async function openStore(options: StoreOptions) {
  const connection: Connection = connect(options.databaseUrl, {
    size: options.poolSize,
    waitMs: options.poolWaitMs,
    onIdleError: options.onConnectionError,
  })
  const { db } = connection
  await migrate(db, connection.engine)
  const seeded = options.seedDemoData ? await seedDemoCatalog(db) : 0
  const inTransaction = writeTransactions(connection, { recordStockEvents: options.recordStockEvents ?? false })
  const stockListeners = new Set<() => void>()
  /** Runs `change`, then tells the listeners (the event dispatcher) once it has committed. */
  const announcing = async <T>(change: Promise<T>) => {
    const result = await change
    for (const listener of stockListeners) listener()
    return result
  }
  const productPages = productListReader(connection)

  return {
    engine: connection.engine as Engine,
    db,
    seeded,
    listProducts: productPages,
    findProduct: (id: number) => findProduct(db, id),
    placeOrder: (request: OrderRequest, idempotencyKey?: string) =>
      announcing(inTransaction((scope) => placeOrder(scope, request, idempotencyKey))),
    findOrder: (id: number) => findOrder(db, id),
    listOrders: (page: Required<PageQuery>) => listOrders(db, page),
    listInventory: (productId?: number) => listInventory(db, productId),
    setStock: (productId: number, quantityInStock: number) =>
      announcing(inTransaction((scope) => setStock(scope, productId, quantityInStock))),
    onStockChange(listener: () => void) {
      stockListeners.add(listener)
    },
    claimDueEvents: (productLimit: number, leaseMs: number) => claimDueEvents(connection, productLimit, leaseMs),
    markPublished: (published: Array<{ productId: number; upToId: number }>) => markPublished(db, published),
    scheduleRetry: (ids: number[], retryAt: Date, error: string) => scheduleRetry(db, ids, retryAt, error),
    pendingEvents: () => pendingEvents(db),
    findSalesforceIds: (productIds: number[], missingSince: Date) => findSalesforceIds(db, productIds, missingSince),
    rememberSalesforceIds: (ids: Map<number, string | null>) => rememberSalesforceIds(db, ids),
    purgeExpiredRecords: async () => (await purgeExpiredKeys(db)) + (await purgeSentEvents(db)),
    async ping(): Promise<boolean> {
      try {
        await sql`select 1`.execute(db)
        return true
      } catch {
        return false
      }
    },
    close: () => db.destroy(),
  }
}

/**
 * Flow reads the product list far more often than stock changes. On SQLite (one dyno per database file) the list
 * is kept in memory until the change counter says the file may have changed, so no answer is ever staler than a
 * read of the database would be. On PostgreSQL other dynos change stock, and a notification from them would only
 * arrive after their commit, so there every read goes to the database.
 */
function productListReader({ db, sqlite }: Connection) {
  if (!sqlite) return (page: Required<PageQuery>) => listProducts(db, page)
  const cached = readCache<ProductView[]>(changeCounter(sqlite))
  return (page: Required<PageQuery>) => cached(`${page.pageSize}:${page.offset}`, () => listProducts(db, page))
}
