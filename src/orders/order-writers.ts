// The order write, one per engine: the stock of every line taken in one statement, then the order, its items and its
// outbox rows written from what was taken (the reads of orders are in repository.ts).
import { CompiledQuery, type Kysely, type Selectable } from 'kysely'
import type { Engine } from '../db/connect.js'
import type { OrderItemsTable, OrdersTable, Tables } from '../db/tables.js'
import { recordTakenStock } from '../outbox/outbox-rows.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import type { PlacedFrom } from './schemas.js'

export interface OrderLine {
  productId: number
  quantity: number
}

/** A line whose stock was taken: the product as it is now, and the quantity ordered. */
export interface TakenLine {
  product_id: number
  sku: string
  name: string
  price_cents: number
  currency_code: string
  /** After the order took its quantity. */
  quantity_in_stock: number
  quantity: number
}

/** What writing an order produced; `order` is undefined when no line could be taken. */
export interface WrittenOrder {
  taken: TakenLine[]
  order: Selectable<OrdersTable> | undefined
  items: Selectable<OrderItemsTable>[]
}

export interface OrderToWrite {
  lines: OrderLine[]
  customerEmail: string | null
  placedBy: PlacedFrom | undefined
  now: string
  /** Where each product taken is recorded as a stock event. */
  stockEvents: StockEventOutbox
}

/** `case "id" when ? then cast(? as integer) ... end`, one `when` per line: each line's quantity, for its product. */
const quantityCase = (lineCount: number) =>
  `case "id" ${Array.from({ length: lineCount }, () => 'when ? then cast(? as integer)').join(' ')} end`

/** `(?, ?, ...)` for `count` values. */
const placeholders = (count: number) => `(${Array.from({ length: count }, () => '?').join(', ')})`

/**
 * Takes every line's stock in one statement, only from rows that are sold and still hold enough: an archived
 * product, or a row another order emptied meanwhile, is left out, so the caller compares the count with its lines.
 * Parameters: the quantities (product id, quantity per line), now, the product ids, the quantities twice more.
 */
const takeStockStatement = (lineCount: number) => {
  const quantity = quantityCase(lineCount)
  return (
    `update "products" set "quantity_in_stock" = quantity_in_stock - ${quantity}, "updated_at" = ? ` +
    `where "id" in ${placeholders(lineCount)} and "quantity_in_stock" >= ${quantity} and "archived_at" is null ` +
    `returning "id" as "product_id", "sku", "name", "price_cents", "currency_code", "quantity_in_stock", ${quantity} as "quantity"`
  )
}

const INSERT_ORDER =
  'insert into "orders" ("status", "customer_email", "currency_code", "total_cents", "created_at", "org_id", "user_id") ' +
  'values (?, ?, ?, ?, ?, ?, ?) returning *'

const ITEM_COLUMNS = '"order_id", "product_id", "sku", "name", "quantity", "unit_price_cents", "total_cents"'
const insertItemsStatement = (lineCount: number) =>
  `insert into "order_items" (${ITEM_COLUMNS}) values ${Array.from({ length: lineCount }, () => placeholders(7)).join(', ')} returning *`

/**
 * The SQLite statements' texts, written once per number of lines (at most maxItems, 100, in schemas.ts) rather than
 * built and compiled by the query builder for every order. Profiled pinned with --cpu-prof (POST /orders, one line,
 * 50 connections), the query builder's own code was a fifth of the server's busy CPU (20 % of 10.8 s for 43,600
 * orders) and the statement cache (db/sqlite.ts) hashed each freshly built text again to find it (3 %); with the
 * texts written once, the query builder is under 4 % and the same run placed 6,880 orders/s instead of 4,360. A text
 * that is the same string every time is hashed once. They are the texts the query builder wrote, so SQLite runs the
 * same statements as before.
 */
function statementsFor(lineCount: number) {
  let statements = sqliteStatements.get(lineCount)
  if (!statements) {
    statements = { takeStock: takeStockStatement(lineCount), insertItems: insertItemsStatement(lineCount) }
    sqliteStatements.set(lineCount, statements)
  }
  return statements
}
const sqliteStatements = new Map<number, { takeStock: string; insertItems: string }>()

/**
 * Takes the stock, then writes the order, its items and its outbox rows from what was taken, one statement after
 * the other: SQLite runs in this process, so there are no round trips to save.
 */
export async function writeOrderStepByStep(trx: Kysely<Tables>, toWrite: OrderToWrite): Promise<WrittenOrder> {
  const { lines, now, placedBy } = toWrite
  const statements = statementsFor(lines.length)
  const quantities: unknown[] = []
  for (const line of lines) quantities.push(line.productId, line.quantity)
  const { rows: taken } = await trx.executeQuery<TakenLine>(
    CompiledQuery.raw(statements.takeStock, [
      ...quantities,
      now,
      ...lines.map((line) => line.productId),
      ...quantities,
      ...quantities,
    ]),
  )
  if (taken.length === 0) return { taken, order: undefined, items: [] }
  const {
    rows: [order],
  } = await trx.executeQuery<Selectable<OrdersTable>>(
    CompiledQuery.raw(INSERT_ORDER, [
      'placed',
      toWrite.customerEmail,
      (taken[0] as TakenLine).currency_code,
      taken.reduce((sum, line) => sum + line.price_cents * line.quantity, 0),
      now,
      placedBy?.orgId ?? null,
      placedBy?.userId ?? null,
    ]),
  )
  if (!order) throw new Error('The order insert returned no row.')
  const { rows: items } = await trx.executeQuery<Selectable<OrderItemsTable>>(
    CompiledQuery.raw(
      statementsFor(taken.length).insertItems,
      taken.flatMap((line) => [
        order.id,
        line.product_id,
        line.sku,
        line.name,
        line.quantity,
        line.price_cents,
        line.price_cents * line.quantity,
      ]),
    ),
  )
  await toWrite.stockEvents.record(
    trx,
    taken.map((line) => ({ productId: line.product_id, sku: line.sku, quantityInStock: line.quantity_in_stock })),
  )
  return { taken, order, items }
}

/** One row of the PostgreSQL order statement's answer: an item, with its order and its taken line. */
interface ItemOfPlacedOrder extends Selectable<OrderItemsTable> {
  status: string
  customer_email: string | null
  order_currency_code: string
  order_total_cents: number
  created_at: string
  org_id: string | null
  user_id: string | null
  price_cents: number
  currency_code: string
  quantity_in_stock: number
}

/**
 * The same writes as writeOrderStepByStep in one statement, chained by PostgreSQL's data-modifying WITH clauses
 * (https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING): one round trip instead of
 * four, and the stock rows are locked only from this statement to the commit. The answer is one row per item,
 * carrying its order and the taken line.
 *
 * Written once as SQL text, not built per order: building and compiling this statement with the query builder was
 * a fifth of the server's CPU per order (about 20 % of 9.2 s busy for 6,100 orders, profiled pinned with
 * --cpu-prof). The lines arrive as two arrays (`unnest`, https://www.postgresql.org/docs/current/functions-array.html),
 * so the text is the same for every order whatever its number of lines, and PostgreSQL parses and plans it once per
 * connection (a named prepared statement, db/postgres.ts). Parameters: $1 product ids, $2 quantities (in the same
 * order, one per product), $3 now, $4 customer email, $5 org id, $6 user id.
 */
function placeOrderStatement(withStockEvents: boolean): string {
  const events = withStockEvents ? `, events as (\n  ${recordTakenStock('$3::timestamptz')}\n)` : ''
  return `
with taken as (
  update products
  set quantity_in_stock = products.quantity_in_stock - line.quantity, updated_at = $3::timestamptz
  from unnest($1::integer[], $2::integer[]) as line (product_id, quantity)
  where products.id = any($1::integer[])
    and products.id = line.product_id
    and products.quantity_in_stock >= line.quantity
    and products.archived_at is null
  returning products.id as product_id, products.sku, products.name, products.price_cents, products.currency_code,
    products.quantity_in_stock, line.quantity
), placed as (
  insert into orders (status, customer_email, currency_code, total_cents, created_at, org_id, user_id)
  select 'placed', $4::text, min(currency_code), sum(price_cents * quantity), $3::timestamptz, $5::text, $6::text
  from taken
  having count(*) > 0
  returning *
), items as (
  insert into order_items (order_id, product_id, sku, name, quantity, unit_price_cents, total_cents)
  select placed.id, taken.product_id, taken.sku, taken.name, taken.quantity, taken.price_cents,
    taken.price_cents * taken.quantity
  from placed, taken
  returning *
)${events}
select items.*, placed.status, placed.customer_email, placed.currency_code as order_currency_code,
  placed.total_cents as order_total_cents, placed.created_at, placed.org_id, placed.user_id,
  taken.price_cents, taken.currency_code, taken.quantity_in_stock
from items
join placed on placed.id = items.order_id
join taken on taken.product_id = items.product_id
order by items.id`
}

const PLACE_ORDER = placeOrderStatement(false)
const PLACE_ORDER_WITH_STOCK_EVENTS = placeOrderStatement(true)

export async function writeOrderInOneStatement(trx: Kysely<Tables>, toWrite: OrderToWrite): Promise<WrittenOrder> {
  const { lines, placedBy } = toWrite
  // Kysely's CompiledQuery runs SQL that is already compiled, through the same connection and plugins.
  const { rows } = await trx.executeQuery<ItemOfPlacedOrder>(
    CompiledQuery.raw(toWrite.stockEvents.recording() ? PLACE_ORDER_WITH_STOCK_EVENTS : PLACE_ORDER, [
      lines.map((line) => line.productId),
      lines.map((line) => line.quantity),
      toWrite.now,
      toWrite.customerEmail,
      placedBy?.orgId ?? null,
      placedBy?.userId ?? null,
    ]),
  )
  const [first] = rows
  if (!first) return { taken: [], order: undefined, items: [] }
  const { order_id, status, customer_email, order_currency_code, order_total_cents, created_at, org_id, user_id } =
    first
  return {
    taken: rows.map(({ product_id, sku, name, price_cents, currency_code, quantity_in_stock, quantity }) => {
      return { product_id, sku, name, price_cents, currency_code, quantity_in_stock, quantity }
    }),
    order: {
      id: order_id,
      status,
      customer_email,
      currency_code: order_currency_code,
      total_cents: order_total_cents,
      created_at,
      org_id,
      user_id,
    },
    items: rows.map(({ id, product_id, sku, name, quantity, unit_price_cents, total_cents }) => {
      return { id, order_id, product_id, sku, name, quantity, unit_price_cents, total_cents }
    }),
  }
}

/** The order write of the engine: one statement on PostgreSQL, four in a row on SQLite (see the two above). */
export const orderWriterFor = (engine: Engine) =>
  engine === 'postgres' ? writeOrderInOneStatement : writeOrderStepByStep
