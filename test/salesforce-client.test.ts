import pino from 'pino'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSalesforceClient } from '../src/salesforce/client.js'
import { SalesforceAuthError, SalesforceUnavailableError } from '../src/salesforce/errors.js'
import { DEFAULT_INVENTORY_EVENT, INVENTORY_EVENT_FIELDS, PRODUCT_OBJECT } from '../src/salesforce/names.js'
import { deriveAudience, type SalesforceSettings } from '../src/salesforce/settings.js'
import { createTokenProvider, type TokenProvider } from '../src/salesforce/token-provider.js'
import {
  type EmulatorProduct,
  generateKeyPair,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../tools/salesforce-emulator/index.js'
import { captureLines } from './support/log-capture.js'
import { emulatorSettings, TEST_CONSUMER_KEY, TEST_USERNAME } from './support/salesforce-settings.js'

const consumerKey = TEST_CONSUMER_KEY
const username = TEST_USERNAME
const keys = generateKeyPair()
const PRODUCT_COUNT = 450
const logs = captureLines()
const logger = pino({ level: 'debug' }, logs.stream)
const seenTokens = new Set<string>()

let emulator: SalesforceEmulator
let settings: SalesforceSettings
let products: EmulatorProduct[]

interface ProductRow {
  Id: string
  ProductCode: string
  Qty_In_Stock__c: number | null
}

function connect(overrides: Partial<SalesforceSettings> = {}) {
  const tokenProvider = createTokenProvider({ ...settings, ...overrides }, { logger })
  const client = createSalesforceClient({ ...settings, ...overrides }, { tokenProvider, logger })
  return { tokenProvider, client }
}

async function rememberToken(tokenProvider: TokenProvider) {
  seenTokens.add((await tokenProvider.getToken()).accessToken)
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (err: Error & Record<string, unknown>) => err,
  )
}

const idOf = (product: EmulatorProduct) => String(product.Id)
const allProducts = `SELECT Id, ProductCode, Qty_In_Stock__c FROM ${PRODUCT_OBJECT}`

beforeAll(async () => {
  emulator = await startSalesforceEmulator({
    consumerKey,
    username,
    publicKey: keys.publicKey,
    products: Array.from({ length: PRODUCT_COUNT }, (_, i) => ({
      Name: `Product ${i}`,
      ProductCode: `P-${String(i).padStart(4, '0')}`,
      IsActive: true,
      Qty_In_Stock__c: 0,
    })),
  })
  products = emulator.records()
  settings = emulatorSettings(emulator.url, keys.privateKey, 2000)
})

afterAll(() => emulator.close())

beforeEach(() => emulator.resetCounters())

afterEach(() => {
  emulator.setDown(false)
  emulator.setLatency(0)
  emulator.clearRecordFailures()
})

describe('query', () => {
  it('returns every record and concurrent queries share one token', async () => {
    const { client, tokenProvider } = connect()
    const results = await Promise.all(Array.from({ length: 10 }, () => client.query<ProductRow>(allProducts)))
    for (const rows of results) {
      expect(rows).toHaveLength(PRODUCT_COUNT)
      expect(new Set(rows.map((r) => r.Id))).toEqual(new Set(products.map(idOf)))
    }
    expect(emulator.counters().tokenRequests).toBe(1)
    await rememberToken(tokenProvider)
  })

  it('follows nextRecordsUrl through every page', async () => {
    const big = await startSalesforceEmulator({
      consumerKey,
      username,
      publicKey: keys.publicKey,
      products: Array.from({ length: 2300 }, (_, i) => ({ Name: `Bulk ${i}`, IsActive: true })),
    })
    try {
      const overrides = { loginUrl: big.url, audience: deriveAudience(big.url) }
      const rows = await connect(overrides).client.query<ProductRow>(`SELECT Id FROM ${PRODUCT_OBJECT}`)
      expect(rows).toHaveLength(2300)
      expect(new Set(rows.map((r) => r.Id)).size).toBe(2300)
      expect(big.counters()).toMatchObject({ tokenRequests: 1, apiCalls: 2 })
    } finally {
      await big.close()
    }
  })

  it('reports a bad query as SALESFORCE_ERROR with the Salesforce error code', async () => {
    const { client } = connect()
    const err = await rejectionOf(client.query(`SELECT Nope__c FROM ${PRODUCT_OBJECT}`))
    expect(err).toMatchObject({ code: 'SALESFORCE_ERROR', errorCode: 'INVALID_FIELD' })
  })
})

describe('session expiry', () => {
  it('re-authenticates exactly once when Salesforce expires the session, and the call succeeds', async () => {
    const { client, tokenProvider } = connect()
    await client.query(allProducts)
    emulator.expireAllTokens()
    emulator.resetCounters()

    const results = await Promise.all(Array.from({ length: 5 }, () => client.query<ProductRow>(allProducts)))
    for (const rows of results) expect(rows).toHaveLength(PRODUCT_COUNT)
    expect(emulator.counters().tokenRequests).toBe(1)
    await rememberToken(tokenProvider)
  })

  it('fails with SALESFORCE_AUTH when re-authentication is refused, without looping', async () => {
    const { client } = connect()
    await client.query(allProducts)
    emulator.expireAllTokens()
    emulator.failNextTokenRequests(2, {
      error: 'invalid_grant',
      error_description: "user hasn't approved this consumer",
    })
    emulator.resetCounters()

    const err = await rejectionOf(client.query(allProducts))
    expect(err).toBeInstanceOf(SalesforceAuthError)
    expect(err).toMatchObject({ code: 'SALESFORCE_AUTH' })
    expect(err.message).toContain("user hasn't approved this consumer")
    expect(emulator.counters().tokenRequests).toBe(1)
    expect(emulator.counters().apiCalls).toBe(1)

    // The next call asks again (the cache holds no failure) and the refusal is reported again.
    await expect(client.query(allProducts)).rejects.toMatchObject({ code: 'SALESFORCE_AUTH' })
    expect(emulator.counters()).toMatchObject({ tokenRequests: 2, apiCalls: 1 })
  })

  it('retries a 401 exactly once when Salesforce keeps rejecting the session', async () => {
    const real = createTokenProvider(settings, { logger })
    // Every token handed to the client is one Salesforce never issued, so the emulator answers 401 every time.
    const forged: TokenProvider = {
      getToken: async () => {
        const token = await real.getToken()
        return { ...token, accessToken: `${token.accessToken}-forged` }
      },
      invalidate: (token) => real.invalidate(token.replace(/-forged$/, '')),
    }
    const client = createSalesforceClient(settings, { tokenProvider: forged, logger })

    const started = Date.now()
    const err = await rejectionOf(client.query(allProducts))
    expect(err).toMatchObject({ code: 'SALESFORCE_AUTH' })
    expect(err.message).toContain('again right after re-authenticating')
    expect(emulator.counters().tokenRequests).toBe(2)
    expect(emulator.counters().apiCalls).toBe(2)
    expect(Date.now() - started).toBeLessThan(2000)
    await rememberToken(real)
  })
})

describe('updateRecords', () => {
  it('updates 450 records in 3 collection calls', async () => {
    const { client, tokenProvider } = connect()
    await tokenProvider.getToken()
    emulator.resetCounters()

    const results = await client.updateRecords(
      PRODUCT_OBJECT,
      products.map((p, i) => ({ Id: idOf(p), Qty_In_Stock__c: i })),
    )
    expect(results).toHaveLength(PRODUCT_COUNT)
    expect(results.every((r) => r.success && r.errors.length === 0)).toBe(true)
    expect(results.map((r) => r.id)).toEqual(products.map(idOf))
    expect(emulator.counters().apiCalls).toBe(3)
    expect(emulator.counters().tokenRequests).toBe(0)
    const stock = new Map(emulator.records().map((r) => [r.Id, r.Qty_In_Stock__c]))
    expect(products.map((p) => stock.get(p.Id))).toEqual(products.map((_, i) => i))
    await rememberToken(tokenProvider)
  })

  it('reports failures per record and applies the rest', async () => {
    const { client } = connect()
    const [first, locked, third] = emulator.addProducts([
      { Name: 'Lock A', ProductCode: 'LOCK-A', IsActive: true, Qty_In_Stock__c: 1 },
      { Name: 'Lock B', ProductCode: 'LOCK-B', IsActive: true, Qty_In_Stock__c: 1 },
      { Name: 'Lock C', ProductCode: 'LOCK-C', IsActive: true, Qty_In_Stock__c: 1 },
    ]) as [EmulatorProduct, EmulatorProduct, EmulatorProduct]
    emulator.failRecords(
      (r) => r.id === locked.Id || r.Id === locked.Id,
      'UNABLE_TO_LOCK_ROW',
      'unable to obtain exclusive access to this record',
    )
    emulator.deleteRecord(idOf(third))

    const results = await client.updateRecords(PRODUCT_OBJECT, [
      { Id: idOf(first), Qty_In_Stock__c: 7 },
      { Id: idOf(locked), Qty_In_Stock__c: 7 },
      { Id: idOf(third), Qty_In_Stock__c: 7 },
    ])
    expect(results[0]).toEqual({ success: true, id: first.Id, errors: [] })
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW' }] })
    expect(results[2]?.success).toBe(false)
    expect(results[2]?.errors[0]?.statusCode).toMatch(/^[A-Z_]+$/)
    const stock = new Map(emulator.records().map((r) => [r.Id, r.Qty_In_Stock__c]))
    expect(stock.get(first.Id)).toBe(7)
    expect(stock.get(locked.Id)).toBe(1)
  })

  it('makes no call for an empty list', async () => {
    const { client } = connect()
    expect(await client.updateRecords(PRODUCT_OBJECT, [])).toEqual([])
    expect(emulator.counters()).toMatchObject({ tokenRequests: 0, apiCalls: 0 })
  })
})

describe('createRecords', () => {
  it('publishes platform events: enqueued counts as success', async () => {
    const { client, tokenProvider } = connect()
    await tokenProvider.getToken()
    emulator.resetCounters()
    const before = emulator.events().length
    const events = Array.from({ length: 250 }, (_, i) => ({
      [INVENTORY_EVENT_FIELDS.productId]: i,
      [INVENTORY_EVENT_FIELDS.sku]: `P-${i}`,
      [INVENTORY_EVENT_FIELDS.quantityInStock]: i * 2,
    }))

    const results = await client.createRecords(DEFAULT_INVENTORY_EVENT, events)
    expect(results).toHaveLength(250)
    for (const result of results) {
      expect(result.success).toBe(true)
      expect(result.errors).toEqual([])
      expect(result.id).toEqual(expect.any(String))
    }
    expect(emulator.counters().apiCalls).toBe(2)
    const published = emulator.events().slice(before)
    expect(published).toHaveLength(250)
    expect(published[3]).toMatchObject({
      type: DEFAULT_INVENTORY_EVENT,
      fields: { [INVENTORY_EVENT_FIELDS.sku]: 'P-3' },
    })
  })
})

describe('failures', () => {
  it('maps REQUEST_LIMIT_EXCEEDED to SALESFORCE_LIMIT_EXCEEDED with a retry delay', async () => {
    const { client } = connect()
    emulator.failNextApiCalls(1, 'limit')
    const err = await rejectionOf(client.updateRecords(PRODUCT_OBJECT, [{ Id: idOf(products[0] as EmulatorProduct) }]))
    expect(err).toMatchObject({ code: 'SALESFORCE_LIMIT_EXCEEDED' })
    expect(err.retryAfterSeconds).toBeGreaterThan(0)

    emulator.failNextApiCalls(1, 'limit')
    await expect(client.query(allProducts)).rejects.toMatchObject({
      code: 'SALESFORCE_LIMIT_EXCEEDED',
    })
  })

  it.each(['unavailable', 'server-error'] as const)('maps %s to SALESFORCE_UNAVAILABLE', async (failure) => {
    const { client } = connect()
    emulator.failNextApiCalls(1, failure)
    const err = await rejectionOf(
      client.createRecords(DEFAULT_INVENTORY_EVENT, [{ [INVENTORY_EVENT_FIELDS.sku]: 'X' }]),
    )
    expect(err).toBeInstanceOf(SalesforceUnavailableError)
    expect(err).toMatchObject({ code: 'SALESFORCE_UNAVAILABLE' })
  })

  it('retries a query through a brief outage, and gives up in bounded time on a long one', async () => {
    const { client } = connect()
    emulator.failNextApiCalls(1, 'unavailable')
    await expect(client.query(allProducts)).resolves.toHaveLength(emulator.records().length)

    // Two retries, then the outage is reported: three calls in well under the time budget.
    emulator.failNextApiCalls(3, 'unavailable')
    emulator.resetCounters()
    const started = Date.now()
    await expect(client.query(allProducts)).rejects.toMatchObject({ code: 'SALESFORCE_UNAVAILABLE' })
    expect(Date.now() - started).toBeLessThan(settings.timeoutMs)
    expect(emulator.counters().apiCalls).toBe(3)
  })

  it('reports Salesforce being down as SALESFORCE_UNAVAILABLE in bounded time', async () => {
    const { client, tokenProvider } = connect()
    await tokenProvider.getToken()
    emulator.setDown(true)
    for (const call of [() => client.query(allProducts), () => client.updateRecords(PRODUCT_OBJECT, [{ Id: 'x' }])]) {
      const started = Date.now()
      await expect(call()).rejects.toMatchObject({ code: 'SALESFORCE_UNAVAILABLE' })
      expect(Date.now() - started).toBeLessThan(settings.timeoutMs + 500)
    }
    await expect(connect().client.query(allProducts)).rejects.toMatchObject({ code: 'SALESFORCE_UNAVAILABLE' })
  })

  it('gives up after about timeoutMs when Salesforce is slower than that', async () => {
    const { client, tokenProvider } = connect({ timeoutMs: 400 })
    await tokenProvider.getToken()
    emulator.setLatency(3000)
    for (const call of [
      () => client.query(allProducts),
      () => client.updateRecords(PRODUCT_OBJECT, [{ Id: idOf(products[0] as EmulatorProduct) }]),
    ]) {
      const started = Date.now()
      await expect(call()).rejects.toMatchObject({ code: 'SALESFORCE_UNAVAILABLE' })
      const elapsed = Date.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(350)
      expect(elapsed).toBeLessThan(1000)
    }
  })

  it('sends nothing once the deadline has passed while the token was on its way', async () => {
    const { tokenProvider } = connect({ timeoutMs: 400 })
    const token = await tokenProvider.getToken()
    // The token comes after the caller's deadline (a slow sign-in): the event must not reach Salesforce afterwards,
    // where it could land after a newer one published meanwhile.
    const slowTokens: TokenProvider = {
      getToken: () => new Promise((resolve) => setTimeout(() => resolve(token), 700)),
      invalidate: () => {},
    }
    const late = createSalesforceClient({ ...settings, timeoutMs: 400 }, { tokenProvider: slowTokens, logger })
    emulator.resetCounters()
    const record = { [INVENTORY_EVENT_FIELDS.sku]: 'LATE', [INVENTORY_EVENT_FIELDS.quantityInStock]: 1 }
    await expect(late.createRecords(DEFAULT_INVENTORY_EVENT, [record])).rejects.toMatchObject({
      code: 'SALESFORCE_UNAVAILABLE',
    })
    await new Promise((resolve) => setTimeout(resolve, 700))
    expect(emulator.counters().apiCalls).toBe(0)
    expect(emulator.events().some((event) => event.fields[INVENTORY_EVENT_FIELDS.sku] === 'LATE')).toBe(false)
  })
})

describe('logs', () => {
  it('never contain an access token, an assertion or key material', () => {
    const text = logs.text()
    expect(text).toContain('requested Salesforce token')
    expect(text).toContain('Salesforce call failed')
    expect(seenTokens.size).toBeGreaterThan(0)
    for (const token of seenTokens) expect(text).not.toContain(token)
    expect(text).not.toContain('eyJ')
    for (const line of keys.privateKey.split('\n').filter((l) => l && !l.startsWith('-----'))) {
      expect(text).not.toContain(line)
    }
  })
})
