// Schema migrations, run on start-up and in Heroku's release phase. Append new ones; never edit an applied one.
import { type ColumnDefinitionBuilder, type Kysely, type Migration, Migrator, sql } from 'kysely'
import type { Engine } from './connect.js'

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema
type AnyDb = Kysely<any>

function migrationsFor(engine: Engine): Record<string, Migration> {
  const idType = engine === 'postgres' ? 'serial' : 'integer'
  const timestamp = engine === 'postgres' ? 'timestamptz' : 'text'
  const primaryId = (col: ColumnDefinitionBuilder) =>
    engine === 'postgres' ? col.primaryKey() : col.primaryKey().autoIncrement()

  return {
    '001-catalog-orders-idempotency': {
      async up(db: AnyDb) {
        await db.schema
          .createTable('products')
          .addColumn('id', idType, primaryId)
          .addColumn('sku', 'text', (col) => col.notNull().unique())
          .addColumn('name', 'text', (col) => col.notNull())
          .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
          .addColumn('price_cents', 'bigint', (col) => col.notNull().check(sql`price_cents >= 0`))
          .addColumn('currency_code', 'text', (col) => col.notNull().defaultTo('USD'))
          .addColumn('quantity_in_stock', 'integer', (col) => col.notNull().check(sql`quantity_in_stock >= 0`))
          .addColumn('updated_at', timestamp, (col) => col.notNull())
          .execute()
        await db.schema
          .createTable('orders')
          .addColumn('id', idType, primaryId)
          .addColumn('status', 'text', (col) => col.notNull())
          .addColumn('customer_email', 'text')
          .addColumn('currency_code', 'text', (col) => col.notNull())
          .addColumn('total_cents', 'bigint', (col) => col.notNull())
          .addColumn('created_at', timestamp, (col) => col.notNull())
          .execute()
        await db.schema
          .createTable('order_items')
          .addColumn('id', idType, primaryId)
          .addColumn('order_id', 'integer', (col) => col.notNull().references('orders.id'))
          .addColumn('product_id', 'integer', (col) => col.notNull().references('products.id'))
          .addColumn('sku', 'text', (col) => col.notNull())
          .addColumn('name', 'text', (col) => col.notNull())
          .addColumn('quantity', 'integer', (col) => col.notNull())
          .addColumn('unit_price_cents', 'bigint', (col) => col.notNull())
          .addColumn('total_cents', 'bigint', (col) => col.notNull())
          .execute()
        await db.schema.createIndex('order_items_order_id').on('order_items').column('order_id').execute()
        await db.schema
          .createTable('idempotency_keys')
          .addColumn('key', 'text', (col) => col.primaryKey())
          .addColumn('request_hash', 'text', (col) => col.notNull())
          .addColumn('status_code', 'integer')
          .addColumn('response_body', 'text')
          .addColumn('created_at', timestamp, (col) => col.notNull())
          .execute()
        await db.schema.createIndex('idempotency_keys_created_at').on('idempotency_keys').column('created_at').execute()
      },
    },
    '002-salesforce-ids-and-stock-events-outbox': {
      async up(db: AnyDb) {
        await db.schema.alterTable('products').addColumn('salesforce_id', 'text').execute()
        await db.schema
          .createTable('stock_events')
          .addColumn('id', idType, primaryId)
          .addColumn('product_id', 'integer', (col) => col.notNull().references('products.id'))
          .addColumn('sku', 'text', (col) => col.notNull())
          .addColumn('quantity_in_stock', 'integer', (col) => col.notNull())
          .addColumn('created_at', timestamp, (col) => col.notNull())
          .addColumn('sent_at', timestamp)
          .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
          .addColumn('next_attempt_at', timestamp, (col) => col.notNull())
          .addColumn('claimed_until', timestamp)
          .addColumn('last_error', 'text')
          .execute()
        await db.schema
          .createIndex('stock_events_pending')
          .on('stock_events')
          .columns(['sent_at', 'next_attempt_at'])
          .execute()
      },
    },
    '003-stock-events-pending-by-product': {
      async up(db: AnyDb) {
        await db.schema
          .createIndex('stock_events_pending_product')
          .on('stock_events')
          .columns(['product_id', 'sent_at'])
          .execute()
      },
    },
    '004-products-salesforce-checked-at': {
      async up(db: AnyDb) {
        await db.schema.alterTable('products').addColumn('salesforce_checked_at', timestamp).execute()
      },
    },
  }
}

export async function migrate(db: AnyDb, engine: Engine): Promise<string[]> {
  const migrations = migrationsFor(engine)
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error) throw error
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName)
}
