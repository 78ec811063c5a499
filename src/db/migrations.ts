// Schema migrations, run on start-up and in Heroku's release phase. Append new ones; never edit an applied one.
import { type ColumnDefinitionBuilder, type Kysely, sql } from 'kysely'
import { type Migration, Migrator } from 'kysely/migration'
import type { Engine } from './connect.js'

// biome-ignore lint/suspicious/noExplicitAny: migrations run before (and independently of) the typed schema
type AnyDb = Kysely<any>

export function migrationsFor(engine: Engine): Record<string, Migration> {
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
    '005-whole-non-negative-amounts': { up: (db: AnyDb) => enforceAmountRules(db, engine) },
    // Who placed an order, when AppLink says so: the org and the invoking user (null in basic mode).
    '006-orders-placed-by': {
      async up(db: AnyDb) {
        await db.schema.alterTable('orders').addColumn('org_id', 'text').execute()
        await db.schema.alterTable('orders').addColumn('user_id', 'text').execute()
        await db.schema.createIndex('orders_by_org').on('orders').columns(['org_id', 'id']).execute()
      },
    },
    '007-stock-events-superseded': { up: (db: AnyDb) => supersedeStockEvents(db, engine) },
    // A product no longer sold is archived, never deleted: its orders keep pointing at it.
    '008-products-archived-at': {
      async up(db: AnyDb) {
        await db.schema.alterTable('products').addColumn('archived_at', timestamp).execute()
      },
    },
    '009-orgs': { up: (db: AnyDb) => createOrgs(db, timestamp) },
    '010-publishing-per-org': { up: (db: AnyDb) => createPublishingPerOrg(db, timestamp, idType, primaryId) },
    '011-catalog-from-salesforce': { up: (db: AnyDb) => createCatalogFromSalesforce(db, timestamp) },
  }
}

/**
 * The catalog following Salesforce (src/catalog-sync/): which Product2 and standard PricebookEntry each product
 * follows and their state (catalog_records); per org, which process holds the subscription and until when, and whether
 * the catalog was imported (pubsub_subscribers); per org and topic, the replay id of the last change applied
 * (pubsub_checkpoints, written in that change's transaction); the change events applied, by event id, so one delivered
 * again is not applied twice (pubsub_applied_events, kept as long as Salesforce keeps events, then purged).
 * Flags are integers 0/1, as both engines store them alike.
 */
async function createCatalogFromSalesforce(db: AnyDb, timestamp: 'timestamptz' | 'text') {
  await db.schema
    .createTable('catalog_records')
    .addColumn('product_id', 'integer', (col) => col.primaryKey().references('products.id'))
    .addColumn('product2_id', 'text', (col) => col.notNull().unique())
    .addColumn('product2_active', 'integer', (col) => col.notNull())
    .addColumn('product2_deleted', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('price_entry_id', 'text', (col) => col.unique())
    .addColumn('price_active', 'integer', (col) => col.notNull().defaultTo(0))
    .execute()
  await db.schema
    .createTable('pubsub_subscribers')
    .addColumn('org_key', 'text', (col) => col.primaryKey())
    .addColumn('holder', 'text')
    .addColumn('held_until', timestamp)
    .addColumn('state', 'text', (col) => col.notNull().defaultTo('starting'))
    .addColumn('last_error_code', 'text')
    .addColumn('imported_at', timestamp)
    .execute()
  await db.schema
    .createTable('pubsub_checkpoints')
    .addColumn('org_key', 'text', (col) => col.notNull())
    .addColumn('topic', 'text', (col) => col.notNull())
    .addColumn('replay_id', 'text')
    .addColumn('applied_at', timestamp, (col) => col.notNull())
    .addColumn('last_change_at', timestamp)
    .addColumn('delay_ms', 'integer')
    .addPrimaryKeyConstraint('pubsub_checkpoints_key', ['org_key', 'topic'])
    .execute()
  await db.schema
    .createTable('pubsub_applied_events')
    .addColumn('org_key', 'text', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('applied_at', timestamp, (col) => col.notNull())
    .addPrimaryKeyConstraint('pubsub_applied_events_key', ['org_key', 'event_id'])
    .execute()
  // A stock edit in an org that only receives names its Product2 Id: the product is found by the Ids the stock sync keeps.
  await db.schema.createIndex('products_by_salesforce_id').on('products').column('salesforce_id').execute()
  await db.schema
    .createIndex('org_product_ids_by_record')
    .on('org_product_ids')
    .columns(['org_key', 'salesforce_id'])
    .execute()
  await db.schema
    .createIndex('pubsub_applied_events_by_time')
    .on('pubsub_applied_events')
    .column('applied_at')
    .execute()
}

/**
 * Several orgs (src/publishing/): stock_events stays one row per change, and each org keeps, per product, the newest
 * change it has accepted and its own lease, retry and error (stock_deliveries), so the rows grow with orgs x products,
 * not with orgs x changes. Each publish call is logged for the admin's figures (publish_calls); each org has its own
 * Product2 Ids (org_product_ids) and its last call on the API (org_calls). An org is keyed by its 18-character Id, the
 * single-org configuration by 'default'.
 */
async function createPublishingPerOrg(
  db: AnyDb,
  timestamp: 'timestamptz' | 'text',
  idType: 'serial' | 'integer',
  primaryId: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder,
) {
  await db.schema
    .createTable('stock_deliveries')
    .addColumn('org_key', 'text', (col) => col.notNull())
    .addColumn('product_id', 'integer', (col) => col.notNull().references('products.id'))
    .addColumn('delivered_id', 'integer')
    .addColumn('delivered_at', timestamp)
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', timestamp, (col) => col.notNull())
    .addColumn('tried_id', 'integer')
    .addColumn('claimed_until', timestamp)
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('stock_deliveries_key', ['org_key', 'product_id'])
    .execute()
  await db.schema
    .createTable('publish_calls')
    .addColumn('id', idType, primaryId)
    .addColumn('org_key', 'text', (col) => col.notNull())
    .addColumn('called_at', timestamp, (col) => col.notNull())
    .addColumn('events', 'integer', (col) => col.notNull())
    .addColumn('delay_ms', 'integer')
    .addColumn('error_code', 'text')
    .execute()
  await db.schema.createIndex('publish_calls_by_org').on('publish_calls').columns(['org_key', 'called_at']).execute()
  await db.schema.createIndex('publish_calls_by_time').on('publish_calls').column('called_at').execute()
  await db.schema
    .createTable('org_product_ids')
    .addColumn('org_key', 'text', (col) => col.notNull())
    .addColumn('product_id', 'integer', (col) => col.notNull().references('products.id'))
    .addColumn('salesforce_id', 'text')
    .addColumn('checked_at', timestamp, (col) => col.notNull())
    .addPrimaryKeyConstraint('org_product_ids_key', ['org_key', 'product_id'])
    .execute()
  await db.schema
    .createTable('org_calls')
    .addColumn('org_key', 'text', (col) => col.primaryKey())
    .addColumn('last_call_at', timestamp, (col) => col.notNull())
    .execute()
  await db.schema.createIndex('orders_by_org_time').on('orders').columns(['org_id', 'created_at']).execute()
}

/**
 * The org registry (src/orgs/): each Salesforce org flowcart serves, keyed by its 18-character Id, with its own
 * basic-auth login (a password hash, never the password) and, optionally, how flowcart signs in to it: the three
 * JWT bearer settings together or none of them, and an AppLink authorization.
 */
async function createOrgs(db: AnyDb, timestamp: 'timestamptz' | 'text') {
  await db.schema
    .createTable('orgs')
    .addColumn('org_id', 'text', (col) => col.primaryKey().check(sql`length(org_id) = 18`))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('active', 'disabled')`))
    .addColumn('username', 'text', (col) => col.notNull().unique())
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('password_set_at', timestamp, (col) => col.notNull())
    .addColumn('login_url', 'text')
    .addColumn('sf_username', 'text')
    .addColumn('consumer_key', 'text')
    .addColumn('applink_authorization', 'text')
    .addColumn('created_at', timestamp, (col) => col.notNull())
    .addColumn('updated_at', timestamp, (col) => col.notNull())
    .addCheckConstraint(
      'orgs_sign_in_whole',
      sql`(login_url is null) = (sf_username is null) and (sf_username is null) = (consumer_key is null)`,
    )
    .execute()
}

/**
 * Only a product's newest pending change is published (outbox/repository.ts); the older ones are marked superseded.
 * The indexes serve the outbox's queries: the due current rows in order (claim), one product's rows (claim, settle),
 * the unsent rows in the order they were written (superseding, /healthz); the retention purge reads sent_at.
 */
async function supersedeStockEvents(db: AnyDb, engine: Engine) {
  await db.schema
    .alterTable('stock_events')
    .addColumn('superseded_at', engine === 'postgres' ? 'timestamptz' : 'text')
    .execute()
  await db.schema
    .createIndex('stock_events_due')
    .on('stock_events')
    .columns(['sent_at', 'superseded_at', 'next_attempt_at'])
    .execute()
  await db.schema
    .createIndex('stock_events_by_product')
    .on('stock_events')
    .columns(['product_id', 'sent_at', 'superseded_at', 'id'])
    .execute()
  await db.schema.createIndex('stock_events_unsent').on('stock_events').columns(['sent_at', 'id']).execute()
  await db.schema.dropIndex('stock_events_pending').execute()
  await db.schema.dropIndex('stock_events_pending_product').execute()
}

/** Rows that break a rule a migration is about to enforce: start-up stops and names them rather than change data. */
export class StoredDataError extends Error {
  override name = 'StoredDataError'
}

/** The amounts that must be whole numbers and never negative, with the smallest each may be. */
const amountRules: Array<{ table: string; column: string; minimum: number }> = [
  { table: 'products', column: 'quantity_in_stock', minimum: 0 },
  { table: 'products', column: 'price_cents', minimum: 0 },
  { table: 'orders', column: 'total_cents', minimum: 0 },
  { table: 'order_items', column: 'quantity', minimum: 1 },
  { table: 'order_items', column: 'unit_price_cents', minimum: 0 },
  { table: 'order_items', column: 'total_cents', minimum: 0 },
  { table: 'stock_events', column: 'quantity_in_stock', minimum: 0 },
]

/**
 * SQLite keeps a REAL in an INTEGER column (Infinity, 2.5) and a CHECK on an existing table needs the table rebuilt,
 * so there BEFORE INSERT/UPDATE triggers refuse such a value; PostgreSQL's integer types already refuse non-integers,
 * and a CHECK constraint adds the lower bound.
 */
async function enforceAmountRules(db: AnyDb, engine: Engine) {
  const broken = (column: string, minimum: number) =>
    engine === 'sqlite' ? `typeof(${column}) <> 'integer' or ${column} < ${minimum}` : `${column} < ${minimum}`
  const problems: string[] = []
  for (const { table, column, minimum } of amountRules) {
    const { rows } = await sql<{ id: number; value: unknown }>`
      select id, ${sql.ref(column)} as value from ${sql.table(table)} where ${sql.raw(broken(column, minimum))}
      order by id limit 5`.execute(db)
    for (const row of rows) {
      problems.push(`${table} row ${row.id}: ${column} is ${String(row.value)}, not a whole number ≥ ${minimum}`)
    }
  }
  if (problems.length > 0) {
    throw new StoredDataError(
      `the database holds values flowcart no longer accepts; nothing was changed. Repair these rows (README: "Repairing stored amounts") and start again: ${problems.join('; ')}.`,
    )
  }
  for (const table of new Set(amountRules.map((rule) => rule.table))) {
    const rules = amountRules.filter((rule) => rule.table === table)
    if (engine === 'sqlite') {
      const condition = rules.map(({ column, minimum }) => `(${broken(`new.${column}`, minimum)})`).join(' or ')
      const message = `${table}: ${rules.map(({ column, minimum }) => `${column} must be a whole number >= ${minimum}`).join(', ')}`
      for (const event of ['insert', 'update']) {
        await sql
          .raw(
            `create trigger ${table}_amounts_on_${event} before ${event} on ${table} when ${condition} ` +
              `begin select raise(abort, '${message}'); end`,
          )
          .execute(db)
      }
    } else {
      for (const { column, minimum } of rules) {
        await sql
          .raw(`alter table ${table} add constraint ${table}_${column}_minimum check (${column} >= ${minimum})`)
          .execute(db)
      }
    }
  }
}

export async function migrate(db: AnyDb, engine: Engine): Promise<string[]> {
  const migrations = migrationsFor(engine)
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error) throw error
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName)
}
