// Row shapes of the database, as Kysely sees them (the `Tables` of Kysely<Tables>). Money is kept in minor units (cents) to stay exact.
import type { ColumnType, Generated } from 'kysely'

/** Timestamps: ISO strings in SQLite, timestamptz (read back as Date) in PostgreSQL. */
export type Timestamp = ColumnType<string | Date, string, string>

export interface ProductsTable {
  id: Generated<number>
  sku: string
  name: string
  description: string
  price_cents: number
  currency_code: string
  quantity_in_stock: number
  updated_at: Timestamp
  /** The matching Product2 record Id, remembered after the first look-up so a sync costs one call. */
  salesforce_id: ColumnType<string | null, string | null | undefined, string | null>
  /** When salesforce_id was last looked up (a null Id checked recently means Salesforce has no such product). */
  salesforce_checked_at: ColumnType<string | Date | null, string | null | undefined, string | null>
  /** When the product stopped being sold (null while it is active): it stays, since orders point at it. */
  archived_at: ColumnType<string | Date | null, string | null | undefined, string | null>
}

export interface OrdersTable {
  id: Generated<number>
  status: string
  customer_email: string | null
  currency_code: string
  total_cents: number
  created_at: Timestamp
  /** The Salesforce org and user that placed the order (AppLink mode); null when the mode does not know them. */
  org_id: string | null
  user_id: string | null
}

export interface OrderItemsTable {
  id: Generated<number>
  order_id: number
  product_id: number
  sku: string
  name: string
  quantity: number
  unit_price_cents: number
  total_cents: number
}

export interface IdempotencyKeysTable {
  key: string
  request_hash: string
  status_code: number | null
  response_body: string | null
  created_at: Timestamp
}

/** The outbox: one row per stock change, written in the change's transaction, published as a platform event. */
export interface StockEventsTable {
  id: Generated<number>
  product_id: number
  sku: string
  quantity_in_stock: number
  created_at: Timestamp
  sent_at: ColumnType<string | Date | null, string | null | undefined, string | null>
  attempts: ColumnType<number, number | undefined, number>
  next_attempt_at: Timestamp
  /** A dispatcher's lease: while in the future, no other dispatcher takes the row. */
  claimed_until: ColumnType<string | Date | null, string | null | undefined, string | null>
  last_error: ColumnType<string | null, string | null | undefined, string | null>
  /** When a newer change of the same product was written: this row is never published itself, the newer one is. */
  superseded_at: ColumnType<string | Date | null, string | null | undefined, string | null>
}

/** The org registry: one row per Salesforce org, its basic-auth login and how flowcart signs in to it. */
export interface OrgsTable {
  /** The 18-character org Id (src/orgs/org-id.ts). */
  org_id: string
  name: string
  status: 'active' | 'disabled'
  /** The org's basic-auth user name, unique: org-<org Id>. */
  username: string
  /** scrypt$N$r$p$salt$hash (src/orgs/password-hash.ts); the password itself is never stored. */
  password_hash: string
  password_set_at: Timestamp
  /** The JWT bearer sign-in into the org: all three set, or none. */
  login_url: string | null
  sf_username: string | null
  consumer_key: string | null
  /** AppLink mode: the developer name of the org's authorization. */
  applink_authorization: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

/** Timestamps that may be empty. */
type OptionalTimestamp = ColumnType<string | Date | null, string | null | undefined, string | null>

/**
 * One org's publishing of one product (src/publishing/): the newest change it has accepted, and its own lease and
 * retry. `org_key` is the org's 18-character Id, or 'default' for the single-org configuration (SF_* variables or
 * APPLINK_AUTHORIZATION).
 */
export interface StockDeliveriesTable {
  org_key: string
  product_id: number
  /** The id of the newest stock_events row this org has accepted for the product (null: none yet). */
  delivered_id: ColumnType<number | null, number | null | undefined, number | null>
  delivered_at: OptionalTimestamp
  attempts: ColumnType<number, number | undefined, number>
  /** When the change `tried_id` (the last one whose call failed) is tried again; a newer change is due at once. */
  next_attempt_at: Timestamp
  tried_id: ColumnType<number | null, number | null | undefined, number | null>
  /** A dispatcher's lease: while in the future, no other dispatcher publishes this product to this org. */
  claimed_until: OptionalTimestamp
  last_error: ColumnType<string | null, string | null | undefined, string | null>
}

/** Every publish call to an org: when, how many events, how long the oldest change waited, and its failure code. */
export interface PublishCallsTable {
  id: Generated<number>
  org_key: string
  called_at: Timestamp
  events: number
  /** From the oldest change the call carried to the call's answer; null when the call failed. */
  delay_ms: number | null
  /** A stable code (SALESFORCE_UNAVAILABLE, SALESFORCE_AUTH…) when the call failed; null when it succeeded. */
  error_code: string | null
}

/** The Product2 Id of a product in one org (the default org's are kept on products.salesforce_id). */
export interface OrgProductIdsTable {
  org_key: string
  product_id: number
  /** null: the last look-up found no Product2. */
  salesforce_id: string | null
  checked_at: Timestamp
}

/** When an org last called the API (recorded at most about once a minute per process). */
export interface OrgCallsTable {
  org_key: string
  last_call_at: Timestamp
}

/** The Product2 (and its standard PricebookEntry) a product follows when the catalog's master is Salesforce. */
export interface CatalogRecordsTable {
  product_id: number
  product2_id: string
  /** 1 while Product2.IsActive is true. */
  product2_active: number
  /** 1 while the Product2 is deleted (in the recycle bin: an undelete brings it back). */
  product2_deleted: ColumnType<number, number | undefined, number>
  /** The standard price book's entry; null while the product has none. */
  price_entry_id: ColumnType<string | null, string | null | undefined, string | null>
  /** 1 while that entry is active. */
  price_active: ColumnType<number, number | undefined, number>
}

/** Which process holds an org's change-event subscription, until when, and how it goes. */
export interface PubSubSubscribersTable {
  org_key: string
  holder: string | null
  held_until: OptionalTimestamp
  /** connecting, live, retrying, stopped: written by the holder. */
  state: ColumnType<string, string | undefined, string>
  last_error_code: ColumnType<string | null, string | null | undefined, string | null>
  /** When the catalog was last imported whole from this org (the master only). */
  imported_at: OptionalTimestamp
}

/** The last change applied per org and topic, written in that change's own transaction. */
export interface PubSubCheckpointsTable {
  org_key: string
  topic: string
  /** Base64 of the opaque replay id bytes; null: start from LATEST (after an import). */
  replay_id: string | null
  applied_at: Timestamp
  /** The commit time in Salesforce of the last change applied. */
  last_change_at: OptionalTimestamp
  /** From that commit to its application here. */
  delay_ms: ColumnType<number | null, number | null | undefined, number | null>
}

/** Change events applied, by event id: one delivered again is recognised. */
export interface PubSubAppliedEventsTable {
  org_key: string
  event_id: string
  applied_at: Timestamp
}

export interface Tables {
  products: ProductsTable
  orders: OrdersTable
  order_items: OrderItemsTable
  idempotency_keys: IdempotencyKeysTable
  stock_events: StockEventsTable
  orgs: OrgsTable
  stock_deliveries: StockDeliveriesTable
  publish_calls: PublishCallsTable
  org_product_ids: OrgProductIdsTable
  org_calls: OrgCallsTable
  catalog_records: CatalogRecordsTable
  pubsub_subscribers: PubSubSubscribersTable
  pubsub_checkpoints: PubSubCheckpointsTable
  pubsub_applied_events: PubSubAppliedEventsTable
}
