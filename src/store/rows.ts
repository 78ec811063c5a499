// Converts database rows into the API's shapes (money from cents, timestamps to ISO strings).

import type { Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Inventory } from '../schemas/inventory.js'
import type { Order } from '../schemas/order.js'
import type { Product } from '../schemas/product.js'
import type { OrderItemsTable, OrdersTable, ProductsTable } from './tables.js'

export type ProductView = Static<typeof Product>
export type OrderView = Static<typeof Order>
export type InventoryView = Static<typeof Inventory>

// SQLite hands back the ISO strings we stored; only PostgreSQL's Date objects need formatting.
export const toIso = (value: string | Date) => (typeof value === 'string' ? value : value.toISOString())
export const fromCents = (cents: number) => Math.round(cents) / 100

export function toProduct(row: Selectable<ProductsTable>): ProductView {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price: fromCents(row.price_cents),
    currencyCode: row.currency_code,
    quantityInStock: row.quantity_in_stock,
    updatedAt: toIso(row.updated_at),
  }
}

export function toInventory(row: Pick<Selectable<ProductsTable>, 'id' | 'sku' | 'quantity_in_stock' | 'updated_at'>) {
  return {
    productId: row.id,
    sku: row.sku,
    quantityInStock: row.quantity_in_stock,
    updatedAt: toIso(row.updated_at),
  } satisfies InventoryView
}

export function toOrder(row: Selectable<OrdersTable>, items: Selectable<OrderItemsTable>[]): OrderView {
  return {
    id: row.id,
    status: 'placed',
    createdAt: toIso(row.created_at),
    ...(row.customer_email ? { customerEmail: row.customer_email } : {}),
    currencyCode: row.currency_code,
    items: items.map((item) => ({
      orderItemId: item.id,
      productId: item.product_id,
      sku: item.sku,
      name: item.name,
      quantity: item.quantity,
      unitPrice: fromCents(item.unit_price_cents),
      itemTotalPrice: fromCents(item.total_cents),
    })),
    totalPrice: fromCents(row.total_cents),
  }
}
