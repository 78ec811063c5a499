// The orders' reads: the products an order takes, an order as the contract shows it, and orders one by one or a page
// at a time (the writes are in order-writers.ts).
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely'
import type { Page } from '../db/page.js'
import type { OrderItemsTable, OrdersTable, Tables } from '../db/tables.js'
import { fromCents, toIso } from '../db/values.js'
import type { Order } from './schemas.js'

export type OrderedProduct = Pick<
  Selectable<Tables['products']>,
  'id' | 'sku' | 'name' | 'price_cents' | 'currency_code' | 'quantity_in_stock' | 'archived_at'
>

export function findOrderedProducts(db: Kysely<Tables>, ids: number[]): Promise<OrderedProduct[]> {
  return db
    .selectFrom('products')
    .select(['id', 'sku', 'name', 'price_cents', 'currency_code', 'quantity_in_stock', 'archived_at'])
    .where('id', 'in', ids)
    .execute()
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
    ...(row.org_id && row.user_id ? { placedBy: { orgId: row.org_id, userId: row.user_id } } : {}),
  }
}

/**
 * The org whose orders a caller sees: a registered org's login or an AppLink caller its org's, the default login the
 * orders placed without an org (every order from before the registry, and the default org's).
 */
export type OrderScope = { orgId: string | null }

const inScope = (scope: OrderScope) => (eb: ExpressionBuilder<Tables, 'orders'>) =>
  scope.orgId === null ? eb('org_id', 'is', null) : eb('org_id', '=', scope.orgId)

/** Undefined when the order does not exist or is another org's: to the caller, the same thing. */
export async function findOrder(db: Kysely<Tables>, id: number, scope: OrderScope): Promise<Order | undefined> {
  const row = await db.selectFrom('orders').selectAll().where('id', '=', id).where(inScope(scope)).executeTakeFirst()
  if (!row) return undefined
  const items = await db.selectFrom('order_items').selectAll().where('order_id', '=', id).orderBy('id').execute()
  return toOrder(row, items)
}

/**
 * The orders the scope sees, newest first; with `after`, the ones after it. The index orders_by_org (org_id, id)
 * answers both, read backwards from `after`, so a page after any id costs what the first page costs (an offset's
 * rows are all read first). Sorting by org_id as well changes nothing in the answer (the scope has one org_id) but
 * is what lets PostgreSQL read that index in order for the default login: it takes `org_id = $1` as fixing the
 * column, and `org_id is null` not, so with `id` alone it scanned the primary key and skipped every other org's
 * order on the way (about 100 ms for 50 orders behind 998,000 of another org's, measured). SQLite uses the index
 * either way.
 */
export async function listOrders(db: Kysely<Tables>, page: Page, scope: OrderScope): Promise<Order[]> {
  const { after } = page
  const rows = await db
    .selectFrom('orders')
    .selectAll()
    .where(inScope(scope))
    .$if(after !== undefined, (query) => query.where('id', '<', after as number))
    .orderBy('org_id', (order) => order.desc().nullsFirst())
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
