// The store: the business actions the routes and the Salesforce side call, over one database (db/connect.ts).
// Each action is a repository read, or a service that runs its repositories inside db.transact().

import { seedDemoCatalog } from './catalog/demo-catalog.js'
import { productPages } from './catalog/product-pages.js'
import { findProduct } from './catalog/repository.js'
import type { Product, ProductChanges, ProductInput } from './catalog/schemas.js'
import { createProduct, updateProduct } from './catalog/service.js'
import type { Database, Engine } from './db/connect.js'
import { migrate } from './db/migrations.js'
import type { Page } from './db/page.js'
import { listInventory } from './inventory/repository.js'
import type { Inventory } from './inventory/schemas.js'
import { setStock } from './inventory/service.js'
import { purgeExpiredKeys } from './orders/idempotency.js'
import { findOrder, listOrders } from './orders/repository.js'
import type { Order, OrderInput, OrderPlacedBy } from './orders/schemas.js'
import { type PlacedOrder, placeOrder } from './orders/service.js'
import {
  claimDueEvents,
  markPublished,
  pendingEvents,
  purgeSentEvents,
  retryWaitingNow,
  scheduleRetry,
  supersedeOlderChanges,
} from './outbox/repository.js'
import type { SalesforceStore } from './salesforce/index.js'
import { findSalesforceIds, rememberSalesforceIds } from './salesforce/product-ids.js'

export interface Store extends SalesforceStore {
  readonly engine: Engine
  /** Products the demo catalog added when the store opened (0 when the database had products). */
  readonly seeded: number
  /** Archived products only when `includeInactive`. */
  listProducts(page: Page, includeInactive?: boolean): Promise<Product[]>
  findProduct(id: number): Promise<Product | undefined>
  createProduct(input: ProductInput): Promise<Product>
  updateProduct(id: number, changes: ProductChanges): Promise<Product>
  /** `placedBy`: who places it, when the mode knows (AppLink). */
  placeOrder(order: OrderInput, idempotencyKey?: string, placedBy?: OrderPlacedBy): Promise<PlacedOrder>
  findOrder(id: number): Promise<Order | undefined>
  /** Newest first. */
  listOrders(page: Page, orgId?: string): Promise<Order[]>
  /** Every product's stock, or one product's (empty when it does not exist). */
  listInventory(productId?: number): Promise<Inventory[]>
  setStock(productId: number, quantityInStock: number): Promise<Inventory>
  /** Idempotency keys and published events past their retention; how many rows went. */
  purgeExpiredRecords(): Promise<number>
  ping(): Promise<boolean>
  close(): Promise<void>
}

export interface StoreOptions {
  seedDemoData: boolean
  /** Write an outbox row in the transaction of every stock change (when Salesforce is configured). */
  recordStockEvents?: boolean
}

/** Brings the database's tables up to date, seeds the demo catalog if asked to, and hands out the store. */
export async function openStore(db: Database, options: StoreOptions): Promise<Store> {
  await migrate(db.kysely, db.engine)
  const seeded = options.seedDemoData ? await seedDemoCatalog(db.kysely) : 0
  const recordEvents = options.recordStockEvents ?? false
  const stockListeners = new Set<() => void>()
  /** Tells the listeners (the event publisher) once `change` has committed. */
  const announcing = async <T>(change: Promise<T>) => {
    const result = await change
    for (const listener of stockListeners) listener()
    return result
  }
  const { kysely } = db

  return {
    engine: db.engine,
    seeded,
    listProducts: productPages(db),
    findProduct: (id) => findProduct(kysely, id),
    createProduct: (input) => announcing(createProduct(db, input, { recordEvents })),
    updateProduct: (id, changes) => updateProduct(db, id, changes),
    placeOrder: (order, idempotencyKey, placedBy) =>
      announcing(placeOrder(db, order, idempotencyKey, { recordEvents, placedBy })),
    findOrder: (id) => findOrder(kysely, id),
    listOrders: (page, orgId) => listOrders(kysely, page, orgId),
    listInventory: (productId) => listInventory(kysely, productId),
    setStock: (productId, quantity) => announcing(setStock(db, productId, quantity, { recordEvents })),
    onStockChange: (listener) => void stockListeners.add(listener),
    supersedeOlderChanges: (afterId) => supersedeOlderChanges(db, afterId),
    claimDueEvents: (productLimit, leaseMs) => claimDueEvents(db, productLimit, leaseMs),
    markPublished: (published) => markPublished(db, published),
    scheduleRetry: (ids, retryAt, code, reason) => scheduleRetry(kysely, ids, retryAt, code, reason),
    retryWaitingNow: (exceptCode) => retryWaitingNow(db, exceptCode),
    pendingEvents: () => pendingEvents(kysely),
    findSalesforceIds: (productIds, missingSince) => findSalesforceIds(kysely, productIds, missingSince),
    rememberSalesforceIds: (ids) => rememberSalesforceIds(kysely, ids),
    purgeExpiredRecords: async () => (await purgeExpiredKeys(kysely)) + (await purgeSentEvents(kysely)),
    ping: () => db.ping(),
    close: () => db.close(),
  }
}
