// Placing an order: all of its lines' stock or none of it, prices captured, and a retry with the same key answered
// the same way.
import type { Database } from '../db/connect.js'
import { MixedCurrencies, NotFound, OutOfStock } from '../errors.js'
import { recordStockChanges, type StockChange } from '../outbox/repository.js'
import { claimKey, hashRequest, saveAnswer } from './idempotency.js'
import {
  findOrderedProducts,
  insertOrder,
  insertOrderItems,
  type OrderedProduct,
  type OrderLine,
  takeStock,
  toOrder,
} from './repository.js'
import type { Order, OrderInput } from './schemas.js'

export interface PlacedOrder {
  order: Order
  /** True when the answer is the stored one of an earlier request with the same idempotency key. */
  replayed: boolean
  stockChanges: StockChange[]
}

/** Lines for the same product are merged; sorted by product id, so every order takes its rows in the same order. */
function mergeLines(items: OrderInput['items']): OrderLine[] {
  const quantities = new Map<number, number>()
  for (const { productId, quantity } of items) quantities.set(productId, (quantities.get(productId) ?? 0) + quantity)
  return [...quantities].sort(([a], [b]) => a - b).map(([productId, quantity]) => ({ productId, quantity }))
}

/** Why an order cannot be placed, in the order the checks have always been made, or undefined when it can. */
function refusal(lines: OrderLine[], products: OrderedProduct[]): Error | undefined {
  const byId = new Map(products.map((product) => [product.id, product]))
  const missing = lines.filter((line) => !byId.has(line.productId)).map((line) => line.productId)
  if (missing.length > 0) return new NotFound(`Product ${missing.join(', ')} does not exist.`)
  const currencies = [...new Set(products.map((product) => product.currency_code))]
  if (currencies.length > 1) return new MixedCurrencies(currencies)
  for (const { productId, quantity } of lines) {
    const product = byId.get(productId) as OrderedProduct
    if (product.quantity_in_stock < quantity) {
      return new OutOfStock(productId, product.sku, product.quantity_in_stock, quantity)
    }
  }
  return undefined
}

/**
 * The statements of an order, with the one that locks stock rows (takeStock) last: on PostgreSQL another order for
 * the same product waits only for this transaction's commit, not for all of its writes. The products read first
 * can change before takeStock; takeStock itself only takes stock that is still there, so an order that loses that
 * race is refused and rolled back like any other.
 */
export function placeOrder(
  db: Database,
  request: OrderInput,
  idempotencyKey: string | undefined,
  options: { recordEvents: boolean },
): Promise<PlacedOrder> {
  const lines = mergeLines(request.items)
  return db.transact(async (trx) => {
    if (idempotencyKey) {
      const requestHash = hashRequest({ lines, customerEmail: request.customerEmail ?? null })
      const answer = await claimKey(trx, idempotencyKey, requestHash)
      if (answer) return { order: answer, replayed: true, stockChanges: [] }
    }
    const products = await findOrderedProducts(
      trx,
      lines.map((line) => line.productId),
    )
    const refused = refusal(lines, products)
    if (refused) throw refused
    const byId = new Map(products.map((product) => [product.id, product]))
    const now = new Date().toISOString()
    const priced = lines.map(({ productId, quantity }) => ({
      product: byId.get(productId) as OrderedProduct,
      quantity,
    }))
    const orderRow = await insertOrder(trx, {
      customerEmail: request.customerEmail ?? null,
      currencyCode: priced[0]?.product.currency_code ?? 'USD',
      totalCents: priced.reduce((sum, { product, quantity }) => sum + product.price_cents * quantity, 0),
      now,
    })
    const itemRows = await insertOrderItems(
      trx,
      priced.map(({ product, quantity }) => ({
        order_id: orderRow.id,
        product_id: product.id,
        sku: product.sku,
        name: product.name,
        quantity,
        unit_price_cents: product.price_cents,
        total_cents: product.price_cents * quantity,
      })),
    )
    const order = toOrder(orderRow, itemRows)
    if (idempotencyKey) await saveAnswer(trx, idempotencyKey, order)

    const taken = await takeStock(trx, lines, now)
    if (taken.length < lines.length) {
      // Another order took the stock since it was read: say so from a fresh read, and keep nothing.
      throw (
        refusal(
          lines,
          await findOrderedProducts(
            trx,
            lines.map((line) => line.productId),
          ),
        ) ?? new Error('stock vanished')
      )
    }
    const stockChanges = taken.map((row) => ({
      productId: row.id,
      sku: row.sku,
      quantityInStock: row.quantity_in_stock,
    }))
    if (options.recordEvents) await recordStockChanges(trx, stockChanges)
    return { order, replayed: false, stockChanges }
  })
}
