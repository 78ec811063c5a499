// Placing and reading orders. An order reserves all of its stock or none of it.

import type { Kysely, Selectable } from 'kysely'
import type { Static } from 'typebox'
import { AppError, notFound } from '../errors.js'
import type { PageQuery } from '../schemas/common.js'
import type { OrderInput } from '../schemas/order.js'
import { claimKey, hashRequest } from './idempotency.js'
import { type OrderView, toOrder } from './rows.js'
import type { Database, ProductsTable } from './tables.js'
import type { TransactionScope } from './write-transactions.js'

export type OrderRequest = Static<typeof OrderInput>
export interface StockChange {
  productId: number
  sku: string
  quantityInStock: number
}
export interface PlacedOrder {
  order: OrderView
  /** True when the answer is the stored one of an earlier request with the same Idempotency-Key. */
  replayed: boolean
  stockChanges: StockChange[]
}

/** Lines for the same product are merged; sorting by product id gives every order the same lock order. */
function mergeLines(items: OrderRequest['items']) {
  const quantities = new Map<number, number>()
  for (const { productId, quantity } of items) quantities.set(productId, (quantities.get(productId) ?? 0) + quantity)
  return [...quantities].sort(([a], [b]) => a - b).map(([productId, quantity]) => ({ productId, quantity }))
}

/** Runs inside a write transaction (see write-transactions.ts); throwing leaves the database as it was. */
export async function placeOrder(
  scope: TransactionScope,
  request: OrderRequest,
  idempotencyKey: string | undefined,
): Promise<PlacedOrder> {
  const lines = mergeLines(request.items)
  if (idempotencyKey) {
    const requestHash = hashRequest({ lines, customerEmail: request.customerEmail ?? null })
    const answer = await claimKey<OrderView>(scope, idempotencyKey, requestHash)
    if (answer) return { order: answer, replayed: true, stockChanges: [] }
  }
  const { order, stockChanges } = await reserveAndRecord(scope, lines, request.customerEmail)
  await scope.writes.recordStockEvents(stockChanges)
  if (idempotencyKey) await scope.writes.saveAnswer({ key: idempotencyKey, responseBody: JSON.stringify(order) })
  return { order, replayed: false, stockChanges }
}

function assertOneCurrency(products: Pick<Selectable<ProductsTable>, 'currency_code'>[]) {
  const currencies = new Set(products.map((product) => product.currency_code))
  if (currencies.size > 1) {
    throw new AppError(
      400,
      'VALIDATION',
      `An order takes products of one currency; these are in ${[...currencies].join(', ')}.`,
    )
  }
}

/**
 * A line could not take its stock: says why, in the order the checks have always been made (unknown products,
 * then mixed currencies, then the first line short of stock). Throwing rolls back the lines already taken.
 */
async function refuse(
  { run, builder }: TransactionScope,
  lines: ReturnType<typeof mergeLines>,
  shortId: number,
): Promise<never> {
  const ids = lines.map((line) => line.productId)
  const { rows: products } = await run(builder.selectFrom('products').selectAll().where('id', 'in', ids).compile())
  const byId = new Map(products.map((product) => [product.id, product]))
  const missing = ids.filter((id) => !byId.has(id))
  if (missing.length > 0) throw notFound(`Product ${missing.join(', ')} does not exist.`)
  assertOneCurrency(products)
  const product = byId.get(shortId) as (typeof products)[number]
  const quantity = lines.find((line) => line.productId === shortId)?.quantity
  throw new AppError(
    409,
    'OUT_OF_STOCK',
    `Product ${shortId} (${product.sku}) has ${product.quantity_in_stock} in stock; ${quantity} requested.`,
  )
}

async function reserveAndRecord(
  scope: TransactionScope,
  lines: ReturnType<typeof mergeLines>,
  customerEmail: string | undefined,
) {
  const { writes } = scope
  const now = new Date().toISOString()
  // One statement per line both checks and takes the stock, so no other order can slip in between (on PostgreSQL
  // the update locks the row; lines go in product id order, so two orders never wait on each other in a cycle).
  const taken: Array<{ product: Selectable<ProductsTable>; quantity: number }> = []
  for (const { productId, quantity } of lines) {
    const product = await writes.takeStock({ productId, quantity, now })
    if (!product) return refuse(scope, lines, productId)
    taken.push({ product, quantity })
  }
  assertOneCurrency(taken.map(({ product }) => product))
  const stockChanges: StockChange[] = taken.map(({ product }) => ({
    productId: product.id,
    sku: product.sku,
    quantityInStock: product.quantity_in_stock,
  }))
  const orderRow = await writes.insertOrder({
    customerEmail: customerEmail ?? null,
    currencyCode: taken[0]?.product.currency_code ?? 'USD',
    totalCents: taken.reduce((sum, { product, quantity }) => sum + product.price_cents * quantity, 0),
    now,
  })
  const itemRows = await writes.insertOrderItems(
    taken.map(({ product, quantity }) => ({
      order_id: orderRow.id,
      product_id: product.id,
      sku: product.sku,
      name: product.name,
      quantity,
      unit_price_cents: product.price_cents,
      total_cents: product.price_cents * quantity,
    })),
  )
  return { order: toOrder(orderRow, itemRows), stockChanges }
}

export async function findOrder(db: Kysely<Database>, id: number): Promise<OrderView | undefined> {
  const row = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) return undefined
  const items = await db.selectFrom('order_items').selectAll().where('order_id', '=', id).orderBy('id').execute()
  return toOrder(row, items)
}

/** Newest first. */
export async function listOrders(db: Kysely<Database>, page: Required<PageQuery>): Promise<OrderView[]> {
  const rows = await db
    .selectFrom('orders')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(page.pageSize)
    .offset(page.offset)
    .execute()
  if (rows.length === 0) return []
  const ids = rows.map((row) => row.id)
  const items = await db.selectFrom('order_items').selectAll().where('order_id', 'in', ids).orderBy('id').execute()
  const itemsByOrder = new Map<number, typeof items>()
  for (const item of items) {
    const orderItems = itemsByOrder.get(item.order_id)
    if (orderItems) orderItems.push(item)
    else itemsByOrder.set(item.order_id, [item])
  }
  return rows.map((row) => toOrder(row, itemsByOrder.get(row.id) ?? []))
}
