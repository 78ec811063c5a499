// The order write, one per engine: the stock of every line taken in one statement, then the order, its items and its
// outbox rows written from what was taken (the reads of orders are in repository.ts).
import { type Kysely, type QueryCreator, type Selectable, sql } from 'kysely'
import { caseById } from '../db/case-by-id.js'
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

/** `case id when <product> then <quantity> ... end`: each line's quantity, for the row of its product. */
const quantityOf = (lines: OrderLine[]) =>
  caseById<number>(
    lines.map((line) => [line.productId, line.quantity]),
    'integer',
  )

/**
 * Takes every line's stock in one statement, only from rows that are sold and still hold enough: an archived
 * product, or a row another order emptied meanwhile, is left out, so the caller compares the count with its lines. On PostgreSQL the statement locks the rows
 * it changes until the transaction ends.
 */
function takeStock(db: QueryCreator<Tables>, lines: OrderLine[], now: string) {
  const quantity = quantityOf(lines)
  return db
    .updateTable('products')
    .set({ quantity_in_stock: sql`quantity_in_stock - ${quantity}`, updated_at: now })
    .where(
      'id',
      'in',
      lines.map((line) => line.productId),
    )
    .where('quantity_in_stock', '>=', quantity)
    .where('archived_at', 'is', null)
    .returning([
      'id as product_id',
      'sku',
      'name',
      'price_cents',
      'currency_code',
      'quantity_in_stock',
      quantity.as('quantity'),
    ])
}

const itemValues = (orderId: number, line: TakenLine) => ({
  order_id: orderId,
  product_id: line.product_id,
  sku: line.sku,
  name: line.name,
  quantity: line.quantity,
  unit_price_cents: line.price_cents,
  total_cents: line.price_cents * line.quantity,
})

/**
 * Takes the stock, then writes the order, its items and its outbox rows from what was taken, one statement after
 * the other: SQLite runs in this process, so there are no round trips to save.
 */
export async function writeOrderStepByStep(trx: Kysely<Tables>, toWrite: OrderToWrite): Promise<WrittenOrder> {
  const taken = await takeStock(trx, toWrite.lines, toWrite.now).execute()
  if (taken.length === 0) return { taken, order: undefined, items: [] }
  const order = await trx
    .insertInto('orders')
    .values({
      status: 'placed',
      customer_email: toWrite.customerEmail,
      currency_code: (taken[0] as TakenLine).currency_code,
      total_cents: taken.reduce((sum, line) => sum + line.price_cents * line.quantity, 0),
      created_at: toWrite.now,
      org_id: toWrite.placedBy?.orgId ?? null,
      user_id: toWrite.placedBy?.userId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const items = await trx
    .insertInto('order_items')
    .values(taken.map((line) => itemValues(order.id, line)))
    .returningAll()
    .execute()
  await toWrite.stockEvents.record(
    trx,
    taken.map((line) => ({ productId: line.product_id, sku: line.sku, quantityInStock: line.quantity_in_stock })),
  )
  return { taken, order, items }
}

/**
 * The same writes as writeOrderStepByStep in one statement, chained by PostgreSQL's data-modifying WITH clauses
 * (https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING): one round trip instead of
 * four, and the stock rows are locked only from this statement to the commit. The answer is one row per item,
 * carrying its order and the taken line.
 */
export async function writeOrderInOneStatement(trx: Kysely<Tables>, toWrite: OrderToWrite): Promise<WrittenOrder> {
  const withOrder = trx
    .with('taken', (db) => takeStock(db, toWrite.lines, toWrite.now))
    .with('placed', (db) =>
      db
        .insertInto('orders')
        .columns(['status', 'customer_email', 'currency_code', 'total_cents', 'created_at', 'org_id', 'user_id'])
        .expression((eb) =>
          eb
            .selectFrom('taken')
            .select([
              sql.lit('placed').as('status'),
              sql<string | null>`cast(${toWrite.customerEmail} as text)`.as('customer_email'),
              eb.fn.min('currency_code').as('currency_code'),
              eb.fn.sum<number>(sql`price_cents * quantity`).as('total_cents'),
              sql<string>`cast(${toWrite.now} as timestamptz)`.as('created_at'),
              sql<string | null>`cast(${toWrite.placedBy?.orgId ?? null} as text)`.as('org_id'),
              sql<string | null>`cast(${toWrite.placedBy?.userId ?? null} as text)`.as('user_id'),
            ])
            .having((eb) => eb.fn.countAll(), '>', 0),
        )
        .returningAll(),
    )
    .with('items', (db) =>
      db
        .insertInto('order_items')
        .columns(['order_id', 'product_id', 'sku', 'name', 'quantity', 'unit_price_cents', 'total_cents'])
        .expression((eb) =>
          eb
            .selectFrom(['placed', 'taken'])
            .select([
              'placed.id',
              'taken.product_id',
              'taken.sku',
              'taken.name',
              'taken.quantity',
              'taken.price_cents',
              sql<number>`taken.price_cents * taken.quantity`.as('total_cents'),
            ]),
        )
        .returningAll(),
    )
  const withEvents = toWrite.stockEvents.recording()
    ? withOrder.with('events', (db) => recordTakenStock(db, toWrite.now))
    : withOrder
  const rows = await withEvents
    .selectFrom('items')
    .innerJoin('placed', 'placed.id', 'items.order_id')
    .innerJoin('taken', 'taken.product_id', 'items.product_id')
    .selectAll('items')
    .select([
      'placed.status',
      'placed.customer_email',
      'placed.currency_code as order_currency_code',
      'placed.total_cents as order_total_cents',
      'placed.created_at',
      'placed.org_id',
      'placed.user_id',
      'taken.price_cents',
      'taken.currency_code',
      'taken.quantity_in_stock',
    ])
    .orderBy('items.id')
    .execute()
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
