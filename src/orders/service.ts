// Placing an order: all of its lines' stock or none of it, prices captured, and a retry with the same key answered
// the same way.
import type { Database } from '../db/connect.js'
import { MixedCurrencies, NotFound, OutOfStock, ProductInactive } from '../errors.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import { claimKey, hashRequest, saveAnswer } from './idempotency.js'
import { type OrderLine, orderWriterFor, type TakenLine } from './order-writers.js'
import { findOrderedProducts, type OrderedProduct, toOrder } from './repository.js'
import type { Order, OrderInput, PlacedFrom } from './schemas.js'

export interface PlacedOrder {
  order: Order
  /** True when the answer is the stored one of an earlier request with the same idempotency key. */
  replayed: boolean
}

/** Lines for the same product are merged; sorted by product id, so every order takes its rows in the same order. */
function mergeLines(items: OrderInput['items']): OrderLine[] {
  const quantities = new Map<number, number>()
  for (const { productId, quantity } of items) quantities.set(productId, (quantities.get(productId) ?? 0) + quantity)
  return [...quantities].sort(([a], [b]) => a - b).map(([productId, quantity]) => ({ productId, quantity }))
}

/**
 * Why an order cannot be placed, from the stock each line found (`products`), in the order the checks have always
 * been made: unknown products, then archived ones, then mixed currencies, then the first line short of stock. Undefined when it can.
 */
function refusal(lines: OrderLine[], products: OrderedProduct[]): Error | undefined {
  const byId = new Map(products.map((product) => [product.id, product]))
  const missing = lines.filter((line) => !byId.has(line.productId)).map((line) => line.productId)
  if (missing.length > 0) return new NotFound(`Product ${missing.join(', ')} does not exist.`)
  const archived = products.find((product) => product.archived_at !== null)
  if (archived) return new ProductInactive(archived.id, archived.sku)
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

/** The stock each line found: the lines taken hold it again on top of what they left. */
function stockFound(taken: TakenLine[], current: OrderedProduct[]): OrderedProduct[] {
  const takenById = new Map(taken.map((line) => [line.product_id, line]))
  return current.map((product) => {
    const line = takenById.get(product.id)
    return line ? { ...product, quantity_in_stock: line.quantity_in_stock + line.quantity } : product
  })
}

/**
 * Takes the stock of every line that has enough, then writes the order from what was taken, all in one
 * transaction: on PostgreSQL as one statement, on SQLite one statement after the other (order-writers.ts says why).
 * If a line could not be taken, or the products are of several currencies, the transaction is rolled back and the
 * refusal says why. A stock row is locked (PostgreSQL) from the moment its stock is taken to the commit.
 */
export async function placeOrder(
  db: Database,
  stockEvents: StockEventOutbox,
  request: OrderInput,
  idempotencyKey: string | undefined,
  placedBy: PlacedFrom | undefined,
): Promise<PlacedOrder> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await placeOnce(db, stockEvents, request, idempotencyKey, placedBy)
    } catch (error) {
      if (!(error instanceof StockMovedMeanwhile) || attempt === 3) throw error
    }
  }
}

/** A line could not be taken, yet its stock suffices when read right after: another change landed in between. */
class StockMovedMeanwhile extends Error {}

function placeOnce(
  db: Database,
  stockEvents: StockEventOutbox,
  request: OrderInput,
  idempotencyKey: string | undefined,
  placedBy: PlacedFrom | undefined,
): Promise<PlacedOrder> {
  const lines = mergeLines(request.items)
  const customerEmail = request.customerEmail ?? null
  const writeOrder = orderWriterFor(db.engine)
  // Keys are the caller's: two orgs that pick the same key never see each other's order.
  const key = idempotencyKey && (placedBy ? `${placedBy.orgId}/${idempotencyKey}` : idempotencyKey)
  // Together: orders that arrive at the same moment share one commit (db/postgres-group-commit.ts says why).
  return stockEvents.transact(
    db,
    async (trx) => {
      if (key) {
        const answer = await claimKey(trx, key, hashRequest({ lines, customerEmail, placedBy }))
        if (answer) return { order: answer, replayed: true }
      }
      const now = new Date().toISOString()
      const written = await writeOrder(trx, { lines, customerEmail, now, placedBy, stockEvents })
      const currencies = new Set(written.taken.map((line) => line.currency_code))
      if (!written.order || written.taken.length < lines.length || currencies.size > 1) {
        const current = await findOrderedProducts(
          trx,
          lines.map((line) => line.productId),
        )
        throw refusal(lines, stockFound(written.taken, current)) ?? new StockMovedMeanwhile()
      }
      const order = toOrder(written.order, written.items)
      if (key) await saveAnswer(trx, key, order)
      return { order, replayed: false }
    },
    { together: true },
  )
}
