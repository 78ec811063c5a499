// The store: one object with the business actions the routes call, on SQLite or PostgreSQL alike.
import { sql } from 'kysely'
import type { PageQuery } from '../schemas/common.js'
import { type Connection, connect, describeDatabaseUrl, type Engine } from './connect.js'
import { seedDemoCatalog } from './demo-catalog.js'
import { purgeExpiredKeys } from './idempotency.js'
import { listInventory, setStock } from './inventory.js'
import { migrate } from './migrations.js'
import { findOrder, listOrders, type OrderRequest, placeOrder, type StockChangeRecorder } from './orders.js'
import { findProduct, listProducts } from './products.js'

export type { OrderRequest, PlacedOrder, StockChange, StockChangeRecorder } from './orders.js'
export type { InventoryView, OrderView, ProductView } from './rows.js'
export { describeDatabaseUrl }

export interface StoreOptions {
  databaseUrl: string | undefined
  seedDemoData: boolean
  /** Called inside the transaction of every stock change (the Salesforce outbox hooks in here). */
  recordStockChanges?: StockChangeRecorder
  poolSize?: number
}

export type Store = Awaited<ReturnType<typeof openStore>>

export async function openStore(options: StoreOptions) {
  const connection: Connection = connect(options.databaseUrl, options.poolSize)
  const { db } = connection
  await migrate(db, connection.engine)
  const seeded = options.seedDemoData ? await seedDemoCatalog(db) : 0
  const record = options.recordStockChanges

  return {
    engine: connection.engine as Engine,
    db,
    seeded,
    listProducts: (page: Required<PageQuery>) => listProducts(db, page),
    findProduct: (id: number) => findProduct(db, id),
    placeOrder: (request: OrderRequest, idempotencyKey?: string) =>
      placeOrder(connection, request, idempotencyKey, record),
    findOrder: (id: number) => findOrder(db, id),
    listOrders: (page: Required<PageQuery>) => listOrders(db, page),
    listInventory: (productId?: number) => listInventory(db, productId),
    setStock: (productId: number, quantityInStock: number) => setStock(connection, productId, quantityInStock, record),
    purgeExpiredIdempotencyKeys: () => purgeExpiredKeys(db),
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
