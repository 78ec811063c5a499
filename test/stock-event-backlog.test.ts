// A backlog of stock events left by a Salesforce outage: caught up as fast as Salesforce answers, one publish call per
// 200 products, while the service keeps answering its callers.
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import type { Database } from '../src/db/connect.js'
import { authHeaders, databaseUrlFor, engines, openTestDatabase } from './helper.js'
import { startSalesforceTestbed } from './support/salesforce-app.js'

/** The demo catalog's 12 products take most of the changes, as best-sellers do. */
const HOT_PRODUCTS = 12
const HOT_CHANGES = 2000
/** 500 products in all: ceil(500 / 200) = 3 publish calls carry every product's latest stock. */
const PRODUCTS = 500
const OTHER_CHANGES = 10
/** Generous: a request waits for at most a few short batches of the publisher; the event loop is never held long. */
const ANSWERED_WITHIN_MS = 2000
const CATCH_UP_WITHIN_MS = 20_000
/** /healthz counts pending events this far (README). */
const PENDING_COUNTED_UP_TO = 10_000

const order = (app: FastifyInstance, productId: number) =>
  app.inject({
    method: 'POST',
    url: '/orders',
    headers: authHeaders,
    payload: { items: [{ productId, quantity: 1 }] },
  })
const publishCalls = (counters: { byEndpoint: Record<string, number> }) =>
  counters.byEndpoint['POST composite/sobjects'] ?? 0

/** Products 13 to PRODUCTS, and stock for every order of the test. */
async function addProducts(db: Database) {
  const now = new Date().toISOString()
  await db.kysely.updateTable('products').set({ quantity_in_stock: 100_000 }).execute()
  const products = Array.from({ length: PRODUCTS - HOT_PRODUCTS }, (_, index) => ({
    sku: `BACKLOG-${index + HOT_PRODUCTS + 1}`,
    name: `Product ${index + HOT_PRODUCTS + 1}`,
    description: '',
    price_cents: 100,
    currency_code: 'USD',
    quantity_in_stock: 1000 + index,
    updated_at: now,
  }))
  for (let start = 0; start < products.length; start += 250) {
    await db.kysely
      .insertInto('products')
      .values(products.slice(start, start + 250))
      .execute()
  }
}

/**
 * Pending stock events as a long outage leaves them, written straight into the outbox: each product's stock falling
 * change after change to the stock it holds now, the changes of all products interleaved, every row due and already
 * tried 9 times (its next failure waits 2.5 to 5 minutes). Returns the id of the last row.
 */
async function arrangeBacklog(db: Database): Promise<number> {
  const stock = await db.kysely
    .selectFrom('products')
    .select(['id', 'sku', 'quantity_in_stock'])
    .orderBy('id')
    .execute()
  const now = Date.now()
  const rows = []
  for (let change = 0; change < HOT_CHANGES; change++) {
    for (const product of stock) {
      const changes = product.id <= HOT_PRODUCTS ? HOT_CHANGES : OTHER_CHANGES
      if (change >= changes) continue
      const createdAt = new Date(now - 3600_000 + rows.length).toISOString()
      rows.push({
        product_id: product.id,
        sku: product.sku,
        quantity_in_stock: product.quantity_in_stock + (changes - 1 - change),
        created_at: createdAt,
        attempts: 9,
        next_attempt_at: createdAt,
        last_error: 'Salesforce answered HTTP 503',
      })
    }
  }
  for (let start = 0; start < rows.length; start += 500) {
    await db.kysely
      .insertInto('stock_events')
      .values(rows.slice(start, start + 500))
      .execute()
  }
  return rows.length
}

/** A health check and an order, as monitors and Flow keep sending them: how long the slower one took. */
async function askBoth(app: FastifyInstance, productId: number): Promise<number> {
  const asked = performance.now()
  const [health, placed] = await Promise.all([app.inject({ url: '/healthz' }), order(app, productId)])
  expect(health.statusCode).toBe(200)
  expect(placed.statusCode).toBe(201)
  return performance.now() - asked
}

describe.each(engines)('a stock-event backlog on %s', (engine) => {
  it('answers health checks and orders while a backlog fails and drains, and catches it up one call per 200 products as soon as Salesforce answers', async () => {
    const testbed = await startSalesforceTestbed()
    const databaseUrl = await databaseUrlFor(engine)
    const db = await openTestDatabase(databaseUrl)
    await addProducts(db)
    const backlog = await arrangeBacklog(db)
    testbed.emulator.setDown(true)
    // The default delays: a failure now waits minutes, not the test harness's milliseconds.
    const app = await testbed.startApp(databaseUrl, {}, db, { retryBaseMs: 1000, retryMaxMs: 300_000 })

    // Salesforce is still down: the publisher tries the backlog and fails while requests keep arriving.
    let slowest = 0
    for (let round = 0, downSince = Date.now(); Date.now() - downSince < 3000; round++) {
      slowest = Math.max(slowest, await askBoth(app, 2 + (round % 10)))
      await new Promise((resolve) => setTimeout(resolve, 20))
    }

    const waiting = (await app.inject({ url: '/healthz' })).json()

    // Salesforce answers again; the next order's event is the first to reach it.
    testbed.emulator.setDown(false)
    testbed.emulator.resetCounters()
    expect((await order(app, 1)).statusCode).toBe(201)
    const backlogLeft = async () =>
      (
        await db.kysely
          .selectFrom('stock_events')
          .select('id')
          .where('sent_at', 'is', null)
          .where('id', '<=', backlog)
          .limit(1)
          .execute()
      ).length
    let callsWhenCaughtUp: number | undefined
    // One order while it drains, then health checks only, so that every call counted is the backlog's.
    slowest = Math.max(slowest, await askBoth(app, 2))
    for (const upSince = Date.now(); Date.now() - upSince < CATCH_UP_WITHIN_MS; ) {
      const asked = performance.now()
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
      slowest = Math.max(slowest, performance.now() - asked)
      if ((await backlogLeft()) === 0) {
        callsWhenCaughtUp = publishCalls(testbed.emulator.counters())
        break
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }

    expect(slowest).toBeLessThan(ANSWERED_WITHIN_MS)
    // Within the bound, not 2.5 to 5 minutes later: the outage's backoffs no longer count once Salesforce answers.
    expect(callsWhenCaughtUp).toBeDefined()
    expect(callsWhenCaughtUp).toBeGreaterThanOrEqual(Math.ceil(PRODUCTS / 200))
    expect(callsWhenCaughtUp).toBeLessThanOrEqual(Math.ceil(PRODUCTS / 200) + 2)
    // While it waited, /healthz told the backlog without counting all of it: up to 10,000, and the oldest one's age.
    expect(waiting).toMatchObject({ status: 'degraded', salesforce: { pendingEvents: PENDING_COUNTED_UP_TO } })
    expect(waiting.salesforce.oldestPendingSeconds).toBeGreaterThanOrEqual(3590)

    await app.salesforce?.publisher.publishDue()
    const latest = new Map<unknown, unknown>()
    for (const event of testbed.emulator.events()) latest.set(event.fields.Product_Id__c, event.fields.Qty_In_Stock__c)
    const inventory = (await app.inject({ url: '/inventory', headers: authHeaders })).json() as Array<{
      productId: number
      quantityInStock: number
    }>
    expect(inventory).toHaveLength(PRODUCTS)
    for (const item of inventory) expect(latest.get(item.productId)).toBe(item.quantityInStock)
    expect((await app.inject({ url: '/healthz' })).json().salesforce).toMatchObject({ pendingEvents: 0 })
  }, 60_000)

  it('stops publishing at REQUEST_LIMIT_EXCEEDED, the products not yet tried included, until the limit’s wait is over', async () => {
    const testbed = await startSalesforceTestbed()
    const databaseUrl = await databaseUrlFor(engine)
    const db = await openTestDatabase(databaseUrl)
    await addProducts(db)
    // The default delays: a wait of minutes, not the test harness's milliseconds.
    const app = await testbed.startApp(databaseUrl, {}, db, { retryBaseMs: 1000, retryMaxMs: 300_000 })
    await arrangeBacklog(db)
    testbed.emulator.resetCounters()
    testbed.emulator.failNextApiCalls(1, 'limit')

    await app.salesforce?.publisher.publishDue()
    await app.salesforce?.publisher.publishDue()
    expect(publishCalls(testbed.emulator.counters())).toBe(1)
    expect(testbed.emulator.events()).toEqual([])
    expect((await app.inject({ url: '/healthz' })).json().salesforce).toMatchObject({
      lastError: 'SALESFORCE_LIMIT_EXCEEDED',
    })
  })
})
