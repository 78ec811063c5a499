// Row shapes of the database, as Kysely sees them. Money is kept in minor units (cents) to stay exact.
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
}

export interface OrdersTable {
  id: Generated<number>
  status: string
  customer_email: string | null
  currency_code: string
  total_cents: number
  created_at: Timestamp
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

export interface Database {
  products: ProductsTable
  orders: OrdersTable
  order_items: OrderItemsTable
  idempotency_keys: IdempotencyKeysTable
}
