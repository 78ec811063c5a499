// The orders' queries: the products an order takes, its stock taken in one statement, its rows, and reading orders.
import { type Kysely, type Selectable, sql } from 'kysely'
import type { OrderItemsTable, OrdersTable, Tables } from '../db/tables.js'
import { fromCents, toIso } from '../db/values.js'
import type { Page } from '../http/schemas.js'
import type { Order } from './schemas.js'

export interface OrderLine {
  productId: number
  quantity: number
}

export type OrderedProduct = Pick<
  Selectable<Tables['products']>,
  'id' | 'sku' | 'name' | 'price_cents' | 'currency_code' | 'quantity_in_stock'
>

export function findOrderedProducts(trx: Kysely<Tables>, ids: number[]): Promise<OrderedProduct[]> {
  return trx
    .selectFrom('products')
    .select(['id', 'sku', 'name', 'price_cents', 'currency_code', 'quantity_in_stock'])
    .where('id', 'in', ids)
    .execute()
}

/**
 * Takes every line's stock in one statement, only from rows that still hold enough: a row another order emptied
 * meanwhile is left out, so the caller compares the count with its lines. On PostgreSQL the statement locks the rows
 * it changes until the transaction ends, which is why it comes last in an order.
 */
export function takeStock(trx: Kysely<Tables>, lines: OrderLine[], now: string) {
  const quantityOf = sql<number>`case id ${sql.join(
    // The casts tell PostgreSQL the type of each parameter, which a bare `then $2` leaves open.
    lines.map((line) => sql`when ${line.productId} then cast(${line.quantity} as integer)`),
    sql` `,
  )} end`
  return trx
    .updateTable('products')
    .set({ quantity_in_stock: sql`quantity_in_stock - ${quantityOf}`, updated_at: now })
    .where(
      'id',
      'in',
      lines.map((line) => line.productId),
    )
    .where('quantity_in_stock', '>=', quantityOf)
    .returning(['id', 'sku', 'quantity_in_stock'])
    .execute()
}

export function insertOrder(
  trx: Kysely<Tables>,
  order: { customerEmail: string | null; currencyCode: string; totalCents: number; now: string },
) {
  return trx
    .insertInto('orders')
    .values({
      status: 'placed',
      customer_email: order.customerEmail,
      currency_code: order.currencyCode,
      total_cents: order.totalCents,
      created_at: order.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export function insertOrderItems(trx: Kysely<Tables>, items: Array<Omit<Selectable<OrderItemsTable>, 'id'>>) {
  return trx.insertInto('order_items').values(items).returningAll().execute()
}

export function toOrder(row: Selectable<OrdersTable>, items: Selectable<OrderItemsTable>[]): Order {
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

export async function findOrder(db: Kysely<Tables>, id: number): Promise<Order | undefined> {
  const row = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) return undefined
  const items = await db.selectFrom('order_items').selectAll().where('order_id', '=', id).orderBy('id').execute()
  return toOrder(row, items)
}

/** Newest first. */
export async function listOrders(db: Kysely<Tables>, page: Page): Promise<Order[]> {
  const rows = await db
    .selectFrom('orders')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(page.pageSize)
    .offset(page.offset)
    .execute()
  if (rows.length === 0) return []
  const items = await db
    .selectFrom('order_items')
    .selectAll()
    .where(
      'order_id',
      'in',
      rows.map((row) => row.id),
    )
    .orderBy('id')
    .execute()
  const itemsByOrder = Map.groupBy(items, (item) => item.order_id)
  return rows.map((row) => toOrder(row, itemsByOrder.get(row.id) ?? []))
}
