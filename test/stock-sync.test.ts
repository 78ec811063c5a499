// getInventory writes flowcart's stock into Product2 through the emulator: API economy, failures, no secrets in logs.
import { describe, expect, it } from 'vitest'
import { DEFAULT_STOCK_FIELD } from '../src/salesforce/names.js'
import { generateKeyPair } from '../tools/salesforce-emulator/index.js'
import { authHeaders, openTestDatabase } from './helper.js'
import { linesMentioning } from './support/log-capture.js'
import { salesforceApp, startSalesforceTestbed } from './support/salesforce-app.js'

const getInventory = (query = '') => ({ url: `/inventory${query}`, headers: authHeaders })
const collectionCalls = (counters: { byEndpoint: Record<string, number> }) =>
  counters.byEndpoint['PATCH composite/sobjects'] ?? 0

describe('stock sync in getInventory', () => {
  it('writes the stock into Product2; a warm single-product sync costs one API call', async () => {
    const { app, emulator } = await salesforceApp('sqlite')
    await app.inject({ method: 'PUT', url: '/inventory/2', headers: authHeaders, payload: { quantityInStock: 17 } })
    await app.salesforce?.publisher.publishDue()
    emulator.resetCounters()

    const cold = await app.inject(getInventory('?productId=2'))
    expect(cold.statusCode).toBe(200)
    const [item] = cold.json()
    expect(item).toMatchObject({
      productId: 2,
      sku: 'FC-BAG-0C',
      quantityInStock: 17,
      salesforceSync: { status: 'updated' },
    })
    const record = emulator.records().find((candidate) => candidate.ProductCode === 'FC-BAG-0C')
    expect(record?.[DEFAULT_STOCK_FIELD]).toBe(17)
    expect(item.salesforceSync.recordId).toBe(record?.Id)
    expect(emulator.counters().byEndpoint).toEqual({ 'GET query': 1, 'PATCH composite/sobjects': 1 })

    emulator.resetCounters()
    expect((await app.inject(getInventory('?productId=2'))).statusCode).toBe(200)
    expect(emulator.counters().apiCalls).toBe(1)
    expect(emulator.counters().tokenRequests).toBe(0)
  })

  it('50 concurrent calls on a cold service, then 100 sequential ones, share one token', async () => {
    const { app, emulator } = await salesforceApp('sqlite')
    const concurrent = await Promise.all(Array.from({ length: 50 }, () => app.inject(getInventory('?productId=3'))))
    expect(concurrent.every((response) => response.statusCode === 200)).toBe(true)
    expect(emulator.counters().tokenRequests).toBe(1)
    for (let index = 0; index < 100; index++) {
      expect((await app.inject(getInventory('?productId=1'))).statusCode).toBe(200)
    }
    expect(emulator.counters().tokenRequests).toBe(1)

    // After Salesforce expires the session, 50 concurrent calls still re-authenticate once between them.
    emulator.expireAllTokens()
    const afterExpiry = await Promise.all(Array.from({ length: 50 }, () => app.inject(getInventory('?productId=3'))))
    expect(afterExpiry.every((response) => response.statusCode === 200)).toBe(true)
    expect(emulator.counters().tokenRequests).toBe(2)
  })

  it('matches SKUs case-insensitively, as SOQL does', async () => {
    const { app, emulator } = await salesforceApp('sqlite')
    const stale = emulator.records().find((candidate) => candidate.ProductCode === 'FC-LAMP-400')
    emulator.deleteRecord(stale?.Id as string)
    const [record] = emulator.addProducts([{ Name: 'Lower-case code', ProductCode: 'fc-lamp-400' }])
    const [item] = (await app.inject(getInventory('?productId=6'))).json()
    expect(item.salesforceSync).toEqual({ status: 'updated', recordId: record?.Id })
  })

  it('syncs 450 products in 3 collection calls when warm, and reports per-record failures per item', async () => {
    const testbed = await startSalesforceTestbed()
    const db = await openTestDatabase('sqlite::memory:', { seedDemoData: false })
    const now = new Date().toISOString()
    const products = Array.from({ length: 450 }, (_, index) => ({
      sku: `BULK-${String(index).padStart(4, '0')}`,
      name: `Bulk ${index}`,
      description: '',
      price_cents: 100,
      currency_code: 'USD',
      quantity_in_stock: index,
      updated_at: now,
    }))
    await db.kysely.insertInto('products').values(products).execute()
    const { emulator } = testbed
    emulator.addProducts(products.map((product) => ({ Name: product.name, ProductCode: product.sku })))
    const app = await testbed.startApp('sqlite::memory:', {}, db)

    const cold = await app.inject(getInventory())
    expect(
      cold.json().every((item: { salesforceSync: { status: string } }) => item.salesforceSync.status === 'updated'),
    ).toBe(true)
    expect(emulator.counters().byEndpoint['GET query']).toBe(3)
    expect(collectionCalls(emulator.counters())).toBe(3)

    emulator.resetCounters()
    emulator.failRecords(
      (record) => record.Qty_In_Stock__c === 7,
      'UNABLE_TO_LOCK_ROW',
      'unable to obtain exclusive access to this record',
    )
    const warm = await app.inject(getInventory())
    expect(warm.statusCode).toBe(200)
    expect(emulator.counters().apiCalls).toBe(3)
    expect(collectionCalls(emulator.counters())).toBe(3)
    const items = warm.json() as Array<{ sku: string; salesforceSync: { status: string; message?: string } }>
    const failed = items.filter((item) => item.salesforceSync.status !== 'updated')
    expect(failed).toEqual([
      {
        ...items[7],
        sku: 'BULK-0007',
        salesforceSync: expect.objectContaining({
          status: 'failed',
          message: expect.stringContaining('UNABLE_TO_LOCK_ROW'),
        }),
      },
    ])
  })

  it('says notFound for a SKU Salesforce does not have, and looks a deleted record up again once', async () => {
    const { app, emulator } = await salesforceApp('sqlite')
    const first = (await app.inject(getInventory('?productId=5'))).json()[0]
    expect(first.salesforceSync.status).toBe('updated')

    emulator.deleteRecord(first.salesforceSync.recordId)
    const [recreated] = emulator.addProducts([{ Name: 'Titanium Pot', ProductCode: 'FC-POT-750' }])
    emulator.resetCounters()
    const again = (await app.inject(getInventory('?productId=5'))).json()[0]
    expect(again.salesforceSync).toEqual({ status: 'updated', recordId: recreated?.Id })
    expect(emulator.counters().byEndpoint).toEqual({ 'PATCH composite/sobjects': 2, 'GET query': 1 })

    emulator.deleteRecord(recreated?.Id as string)
    const gone = (await app.inject(getInventory('?productId=5'))).json()[0]
    expect(gone.salesforceSync).toEqual({ status: 'notFound', message: "No Product2 has ProductCode = 'FC-POT-750'." })
  })

  it('remembers a SKU Salesforce does not have, so a warm full sync stays one call per 200 products', async () => {
    const { app, emulator } = await salesforceApp('sqlite')
    const missing = emulator.records().find((candidate) => candidate.ProductCode === 'FC-KIT-FA')
    emulator.deleteRecord(missing?.Id as string)

    const cold = (await app.inject(getInventory())).json() as Array<{ sku: string; salesforceSync: { status: string } }>
    expect(cold.find((item) => item.sku === 'FC-KIT-FA')?.salesforceSync.status).toBe('notFound')
    emulator.resetCounters()
    const warm = (await app.inject(getInventory())).json() as Array<{ sku: string; salesforceSync: { status: string } }>
    expect(warm.filter((item) => item.salesforceSync.status === 'updated')).toHaveLength(11)
    expect(warm.find((item) => item.sku === 'FC-KIT-FA')?.salesforceSync.status).toBe('notFound')
    expect(emulator.counters().byEndpoint).toEqual({ 'PATCH composite/sobjects': 1 })
  })

  it('re-authenticates exactly once when Salesforce expires the session', async () => {
    const { app, emulator } = await salesforceApp('sqlite')
    expect((await app.inject(getInventory('?productId=1'))).statusCode).toBe(200)
    emulator.expireAllTokens()
    emulator.resetCounters()
    const response = await app.inject(getInventory('?productId=1'))
    expect(response.statusCode).toBe(200)
    expect(emulator.counters().tokenRequests).toBe(1)
  })

  it('answers a clear 502 when Salesforce refuses the integration user, without a loop, and recovers', async () => {
    const { app, emulator, logs } = await salesforceApp('sqlite')
    emulator.failNextTokenRequests(1)
    const refused = await app.inject(getInventory('?productId=1'))
    expect(refused.statusCode).toBe(502)
    expect(refused.json()).toMatchObject({ code: 'SALESFORCE_AUTH', message: expect.stringContaining('invalid_grant') })
    expectSalesforceWordsOnlyInTheLog(refused, logs, "user hasn't approved this consumer")
    expect(emulator.counters().tokenRequests).toBe(1)
    expect((await app.inject(getInventory('?productId=1'))).statusCode).toBe(200)
  })

  it('answers 502 SALESFORCE_AUTH when the key does not match the connected app', async () => {
    const { app, emulator, logs } = await salesforceApp('sqlite', { SF_PRIVATE_KEY: generateKeyPair().privateKey })
    const response = await app.inject(getInventory('?productId=1'))
    expect(response.statusCode).toBe(502)
    expect(response.json()).toMatchObject({ code: 'SALESFORCE_AUTH' })
    expectSalesforceWordsOnlyInTheLog(response, logs, 'invalid assertion')
    expect(emulator.counters().apiCalls).toBe(0)
  })

  it('maps an API limit to 503 with Retry-After, and an outage to 502', async () => {
    const { app, emulator, logs } = await salesforceApp('sqlite')
    await app.inject(getInventory('?productId=1'))
    emulator.failNextApiCalls(1, 'limit')
    const limited = await app.inject(getInventory('?productId=1'))
    expect(limited.statusCode).toBe(503)
    expect(limited.headers['retry-after']).toMatch(/^\d+$/)
    expect(limited.json().code).toBe('SALESFORCE_LIMIT_EXCEEDED')
    expectSalesforceWordsOnlyInTheLog(limited, logs, 'TotalRequests Limit exceeded')

    emulator.setDown(true)
    const down = await app.inject(getInventory('?productId=1'))
    expect(down.statusCode).toBe(502)
    expect(down.json().code).toBe('SALESFORCE_UNAVAILABLE')
  })

  it("answers a request Salesforce refuses with 502 SALESFORCE_ERROR in flowcart's words", async () => {
    const { app, logs } = await salesforceApp('sqlite', { SF_PRODUCT_MATCH_FIELD: 'Missing_Field__c' })
    const refused = await app.inject(getInventory('?productId=1'))
    expect(refused.statusCode).toBe(502)
    expect(refused.json()).toMatchObject({
      statusCode: 502,
      code: 'SALESFORCE_ERROR',
      message: expect.stringContaining('(INVALID_FIELD)'),
    })
    expect(refused.body).not.toContain('Missing_Field__c')
    expectSalesforceWordsOnlyInTheLog(refused, logs, 'No such column')
  })

  it("shows a validation rule's own message per record, and keeps Salesforce's other words in the log", async () => {
    const { app, emulator, logs } = await salesforceApp('sqlite')
    const rule = 'Stock is frozen during the quarterly count; try again on Monday.'
    emulator.failRecords(() => true, 'FIELD_CUSTOM_VALIDATION_EXCEPTION', rule)
    const validated = await app.inject(getInventory('?productId=1'))
    expect(validated.statusCode).toBe(200)
    const [frozen] = validated.json()
    expect(frozen.salesforceSync).toEqual({
      status: 'failed',
      recordId: expect.stringMatching(/^01t/),
      message: `Salesforce did not update this Product2 (FIELD_CUSTOM_VALIDATION_EXCEPTION): ${rule}`,
    })

    const lockedBy = 'unable to obtain exclusive access to this record or 1 records: 01t000000000001AAA'
    emulator.failRecords(() => true, 'UNABLE_TO_LOCK_ROW', lockedBy)
    const locked = await app.inject(getInventory('?productId=2'))
    expect(locked.json()[0].salesforceSync).toEqual({
      status: 'failed',
      recordId: expect.stringMatching(/^01t/),
      message:
        "Salesforce did not update this Product2 (UNABLE_TO_LOCK_ROW); Salesforce's words are in flowcart's log.",
    })
    expectSalesforceWordsOnlyInTheLog(locked, logs, lockedBy)
  })

  it('writes no access token, assertion or key material to the logs', async () => {
    const { app, emulator, logs, privateKey } = await salesforceApp('sqlite')
    await app.inject(getInventory())
    emulator.expireAllTokens()
    await app.inject(getInventory())
    emulator.failNextTokenRequests(1)
    emulator.expireAllTokens()
    await app.inject(getInventory())
    const text = logs.join('\n')
    expect(text.length).toBeGreaterThan(0)
    expect(text).not.toMatch(/00D[A-Za-z0-9]{12,}!/) // Salesforce access tokens start with the org id and '!'
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/) // a JWT assertion
    expect(text).not.toContain('PRIVATE KEY')
    expect(text).not.toContain(privateKey.split('\n')[1])
  })
})

/** The answer has Salesforce's words nowhere; the log has them once, at warn, under the answer's request id. */
function expectSalesforceWordsOnlyInTheLog(
  answer: { body: string; headers: Record<string, unknown> },
  logs: string[],
  salesforceWords: string,
) {
  expect(answer.body).not.toContain(salesforceWords)
  expect(linesMentioning(logs, salesforceWords)).toEqual([
    expect.objectContaining({ level: 40, reqId: answer.headers['x-request-id'] }),
  ])
}
