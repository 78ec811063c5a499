// Every stock change reaches Salesforce as an Inventory_Update__e event, through the transactional outbox.
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { pendingEvents } from '../src/outbox/repository.js'
import { DEFAULT_INVENTORY_EVENT } from '../src/salesforce/names.js'
import {
  authHeaders,
  buildTestApp,
  createPostgresDatabase,
  engines,
  openTestDatabase,
  sharedDatabaseUrlFor,
} from './helper.js'
import { salesforceApp, startSalesforceTestbed } from './support/salesforce-app.js'

const order = (app: FastifyInstance, productId: number, quantity = 1) =>
  app.inject({ method: 'POST', url: '/orders', headers: authHeaders, payload: { items: [{ productId, quantity }] } })
const publishDue = (app: FastifyInstance) => app.salesforce?.publisher.publishDue()
/** Publishes until nothing is pending, waiting out the (test-short) retry delays. */
async function publishAll(...apps: FastifyInstance[]) {
  for (let round = 0; round < 80; round++) {
    await Promise.all(apps.map(publishDue))
    if ((await health(apps[0] as FastifyInstance)).pendingEvents === 0) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
const health = async (app: FastifyInstance) => (await app.inject({ url: '/healthz' })).json().salesforce
describe.each(engines)('stock events on %s', (engine) => {
  it('publishes one event per change with the quantity after it, batched and coalesced per product', async () => {
    const { app, emulator } = await salesforceApp(engine)
    for (let index = 0; index < 3; index++) {
      expect((await order(app, 1)).statusCode).toBe(201)
      await publishDue(app)
    }
    expect(emulator.events().map((event) => event.fields)).toEqual([
      { Product_Id__c: 1, SKU__c: 'FC-TENT-2P', Qty_In_Stock__c: 39 },
      { Product_Id__c: 1, SKU__c: 'FC-TENT-2P', Qty_In_Stock__c: 38 },
      { Product_Id__c: 1, SKU__c: 'FC-TENT-2P', Qty_In_Stock__c: 37 },
    ])
    expect(emulator.events().every((event) => event.type === DEFAULT_INVENTORY_EVENT)).toBe(true)

    // Many changes while the publisher is not looking: one call, the latest quantity of each product (in any order).
    await app.salesforce?.publisher.stop()
    emulator.resetCounters()
    for (const productId of [2, 3, 2, 4, 2]) await order(app, productId)
    await app.inject({ method: 'PUT', url: '/inventory/4', headers: authHeaders, payload: { quantityInStock: 500 } })
    await publishDue(app)
    expect(emulator.counters().byEndpoint['POST composite/sobjects']).toBe(1)
    expect(
      emulator
        .events()
        .slice(3)
        .map((event) => [event.fields.SKU__c, event.fields.Qty_In_Stock__c])
        .sort(),
    ).toEqual([
      ['FC-BAG-0C', 32],
      ['FC-PAD-R4', 59],
      ['FC-STOVE-1', 500],
    ])
    expect(await health(app)).toMatchObject({ configured: true, pendingEvents: 0, lastPublishedAt: expect.any(String) })
  })

  it('lingers after a change, so a burst of changes leaves in one call, then publishes unasked', async () => {
    const { app, emulator } = await salesforceApp(engine, { SF_PUBLISH_LINGER_MS: '2000' })
    const lingerStarted = Date.now()
    for (const productId of [1, 2, 3, 1, 2, 1]) expect((await order(app, productId)).statusCode).toBe(201)
    // Still within the linger that the first order started: nothing has been sent.
    expect(Date.now() - lingerStarted).toBeLessThan(2000)
    expect(emulator.events()).toEqual([])

    while (emulator.events().length === 0) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(Date.now() - lingerStarted).toBeGreaterThanOrEqual(2000)
    expect(emulator.counters().byEndpoint['POST composite/sobjects']).toBe(1)
    const received = emulator.events().map((event) => [event.fields.Product_Id__c, event.fields.Qty_In_Stock__c])
    expect(received.sort()).toEqual([
      [1, 37],
      [2, 33],
      [3, 59],
    ])
  })

  it('publishes while a stream of orders goes on, one call per linger, not one per round trip nor one at the end', async () => {
    const { app, emulator } = await salesforceApp(engine, { SF_PUBLISH_LINGER_MS: '300' })
    for (const productId of [1, 2, 3, 4]) {
      const stocked = await app.inject({
        method: 'PUT',
        url: `/inventory/${productId}`,
        headers: authHeaders,
        payload: { quantityInStock: 100_000 },
      })
      expect(stocked.statusCode).toBe(200)
    }
    await publishDue(app)
    emulator.resetCounters()
    const eventsBefore = emulator.events().length
    const started = Date.now()
    let firstEventAfterMs: number | undefined
    let placed = 0
    // Orders one after another for 2.5 s, as a Flow in a loop sends them.
    while (Date.now() - started < 2500) {
      expect((await order(app, 1 + (placed % 4))).statusCode).toBe(201)
      placed += 1
      if (firstEventAfterMs === undefined && emulator.events().length > eventsBefore)
        firstEventAfterMs = Date.now() - started
    }
    // Events left while the orders went on (a pass that chased the new changes held every publish back until the end)…
    expect(firstEventAfterMs).toBeDefined()
    expect(firstEventAfterMs).toBeLessThan(1500)
    // …about one call per linger (2.5 s / 300 ms), not one per round trip of a call.
    const calls = emulator.counters().byEndpoint['POST composite/sobjects'] ?? 0
    expect(calls).toBeLessThanOrEqual(Math.ceil(2500 / 300) + 2)
    expect(placed).toBeGreaterThan(calls * 4)
  })

  it('loses nothing while Salesforce is down: every product’s latest stock arrives after recovery', async () => {
    const { app, emulator } = await salesforceApp(engine)
    emulator.setDown(true)
    const placed = await Promise.all([1, 2, 3, 1, 2, 5, 6, 1].map((productId) => order(app, productId)))
    expect(placed.every((response) => response.statusCode === 201)).toBe(true)
    await publishDue(app)
    expect(emulator.events()).toEqual([])
    expect(await health(app)).toMatchObject({ pendingEvents: 8, lastError: expect.stringMatching(/unavailable|503/i) })

    emulator.setDown(false)
    await publishAll(app)
    const latest = Object.fromEntries(
      emulator.events().map((event) => [event.fields.Product_Id__c, event.fields.Qty_In_Stock__c]),
    )
    const stock = (await app.inject({ url: '/inventory', headers: authHeaders })).json() as Array<{
      productId: number
      quantityInStock: number
    }>
    for (const productId of [1, 2, 3, 5, 6]) {
      expect(latest[productId]).toBe(stock.find((item) => item.productId === productId)?.quantityInStock)
    }
    expect(await health(app)).toMatchObject({ pendingEvents: 0 })
  })

  it('delivers events left pending by a previous process after a restart', async () => {
    const testbed = await startSalesforceTestbed()
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const first = await testbed.startApp(databaseUrl)
    testbed.emulator.setDown(true)
    await order(first, 7, 3)
    await order(first, 8, 2)
    await publishDue(first)
    await first.close()
    expect(testbed.emulator.events()).toEqual([])

    testbed.emulator.setDown(false)
    const second = await testbed.startApp(databaseUrl)
    await publishAll(second)
    const received = testbed.emulator.events().map((event) => [event.fields.SKU__c, event.fields.Qty_In_Stock__c])
    expect(received.sort()).toEqual([
      ['FC-FILTER', 87],
      ['FC-PACK-45', 28],
    ])
  })

  it('records no events when Salesforce is not configured', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const app = await buildTestApp(engine, { DATABASE_URL: databaseUrl })
    expect((await order(app, 1)).statusCode).toBe(201)
    expect(app.salesforce).toBeUndefined()
    expect((await app.inject({ url: '/healthz' })).json().salesforce).toEqual({ configured: false, pendingEvents: 0 })
    // /healthz says 0 whenever Salesforce is off; the outbox table itself must be empty too.
    const db = await openTestDatabase(databaseUrl, { seedDemoData: false })
    expect((await pendingEvents(db.kysely)).count).toBe(0)
  })

  it('keeps a session Salesforce echoes when it refuses an event out of the log, and names the refusal', async () => {
    const { app, emulator, logs } = await salesforceApp(engine)
    const session = '00D000000000001!AQEAQFakeSessionOfTheIntegrationUser'
    emulator.failRecords(() => true, 'INVALID_FIELD', `bad value for SKU__c (session ${session})`)
    expect((await order(app, 1)).statusCode).toBe(201)
    await publishDue(app)
    expect(emulator.events()).toEqual([])
    expect(await health(app)).toMatchObject({ pendingEvents: 1, lastError: 'EVENT_REJECTED' })
    // The publisher may try again before the test looks: each try logs the same reason.
    const refused = logs.filter((line) => line.includes('stock events not published'))
    expect(refused.length).toBeGreaterThan(0)
    for (const line of refused) expect(line).toContain('INVALID_FIELD: bad value for SKU__c (session [redacted token])')
    expect(logs.join('\n')).not.toContain(session)
  })
})

describe.skipIf(!engines.includes('postgres'))('stock events with several dynos on PostgreSQL', () => {
  it('never publishes a change twice when two dispatchers drain the outbox at once', async () => {
    const testbed = await startSalesforceTestbed()
    const databaseUrl = await createPostgresDatabase()
    const [dynoA, dynoB] = [await testbed.startApp(databaseUrl), await testbed.startApp(databaseUrl)]
    testbed.emulator.setDown(true)
    for (let productId = 1; productId <= 12; productId++) await order(productId % 2 ? dynoA : dynoB, productId)
    await Promise.all([publishDue(dynoA), publishDue(dynoB)])
    testbed.emulator.setDown(false)
    await publishAll(dynoA, dynoB)
    const published = testbed.emulator.events().map((event) => event.fields.Product_Id__c)
    expect(published.sort((a, b) => Number(a) - Number(b))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
  })

  it('publishes one product’s changes in order even when another dyno is still sending an older one', async () => {
    const testbed = await startSalesforceTestbed()
    const databaseUrl = await createPostgresDatabase()
    const [dynoA, dynoB] = [await testbed.startApp(databaseUrl), await testbed.startApp(databaseUrl)]
    testbed.emulator.setLatency(400)
    await order(dynoA, 1) // dynoA starts publishing stock 39; Salesforce is slow to answer
    const slowPublish = publishDue(dynoA)
    await new Promise((resolve) => setTimeout(resolve, 100))
    testbed.emulator.setLatency(0)
    await order(dynoB, 1) // stock 38, while 39 is still on its way
    await publishDue(dynoB)
    await slowPublish
    await publishAll(dynoA, dynoB)
    expect(testbed.emulator.events().map((event) => event.fields.Qty_In_Stock__c)).toEqual([39, 38])
  })
})
