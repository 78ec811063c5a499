// The Salesforce emulator speaks Salesforce's wire protocol: checked over real HTTP and with the real jsforce client.
import jwt from 'jsonwebtoken'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_INVENTORY_EVENT, INVENTORY_EVENT_FIELDS, PRODUCT_OBJECT } from '../src/salesforce/names.js'
import {
  type EmulatorOptions,
  type EmulatorProduct,
  generateKeyPair,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../tools/salesforce-emulator/index.js'

const CONSUMER_KEY = '3MVG9flowcart.consumer.key'
const USERNAME = 'integration@flowcart.example'
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const SALESFORCE_JSON = 'application/json;charset=UTF-8'
const NEVER_EXISTED = '01t000000000000AAA'
const V = '/services/data/v62.0'

let keys: { privateKey: string; publicKey: string }
let emulator: SalesforceEmulator

beforeAll(() => {
  keys = generateKeyPair()
})

async function start(options: Partial<EmulatorOptions> = {}): Promise<SalesforceEmulator> {
  emulator = await startSalesforceEmulator({
    consumerKey: CONSUMER_KEY,
    username: USERNAME,
    publicKey: keys.publicKey,
    ...options,
  })
  return emulator
}

afterEach(async () => {
  await emulator?.close()
})

/** A claim given as undefined is left out of the assertion. */
function assertion(claims: Record<string, unknown> = {}, options: jwt.SignOptions = {}, key = keys.privateKey) {
  const payload = Object.fromEntries(
    Object.entries({ iss: CONSUMER_KEY, sub: USERNAME, aud: 'https://login.salesforce.com', ...claims }).filter(
      ([, value]) => value !== undefined,
    ),
  )
  return jwt.sign(payload, key, { algorithm: 'RS256', ...('exp' in claims ? {} : { expiresIn: 180 }), ...options })
}

async function requestToken(form: Record<string, string>) {
  const response = await fetch(`${emulator.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  })
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  const body: any = await response.json()
  return { status: response.status, headers: response.headers, body }
}

async function login(): Promise<string> {
  const { status, body } = await requestToken({ grant_type: JWT_BEARER, assertion: assertion() })
  expect(status).toBe(200)
  return body.access_token
}

interface ApiResponse {
  status: number
  headers: Headers
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  body: any
}

async function api(
  method: string,
  path: string,
  init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  // /__emulator controls live on the login host; the REST API on the instance host, as instance_url says.
  const host = path.startsWith('/__emulator') ? emulator.url : emulator.instanceUrl
  const response = await fetch(`${host}${path.startsWith('/') ? path : `${V}/${path}`}`, {
    method,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  })
  const text = await response.text()
  const result: ApiResponse = {
    status: response.status,
    headers: response.headers,
    text,
    body: text ? JSON.parse(text) : undefined,
  }
  return result
}

const query = (token: string, soql: string) => api('GET', `query?q=${encodeURIComponent(soql)}`, { token })

const products = (count: number, from = 1): EmulatorProduct[] =>
  Array.from({ length: count }, (_, i) => ({
    Name: `Product ${from + i}`,
    ProductCode: `P-${from + i}`,
    Qty_In_Stock__c: 0,
  }))

describe('token endpoint', () => {
  beforeEach(() => start())

  it('grants a bearer token with exactly the five fields of the JWT flow', async () => {
    const { status, headers, body } = await requestToken({ grant_type: JWT_BEARER, assertion: assertion() })
    expect(status).toBe(200)
    expect(headers.get('content-type')).toBe(SALESFORCE_JSON)
    expect(Object.keys(body).sort()).toEqual(['access_token', 'id', 'instance_url', 'scope', 'token_type'])
    expect(body).toMatchObject({ scope: 'api', instance_url: emulator.instanceUrl, token_type: 'Bearer' })
    expect(body.instance_url).not.toBe(emulator.url)
    // The identity URL is on the login host, whatever the instance.
    expect(body.id).toMatch(new RegExp(`^${emulator.url}/id/00D\\w{15}/005\\w{15}$`))
    const second = await requestToken({ grant_type: JWT_BEARER, assertion: assertion() })
    expect(second.body.access_token).not.toBe(body.access_token)
  })

  it('accepts an exp of 3 minutes ahead, the most Salesforce documents', async () => {
    const { status } = await requestToken({ grant_type: JWT_BEARER, assertion: assertion({ exp: now() + 180 }) })
    expect(status).toBe(200)
  })

  it('answers the identity URL on the login host, with the token, and not on the instance host', async () => {
    const { body } = await requestToken({ grant_type: JWT_BEARER, assertion: assertion() })
    const identity = await fetch(body.id, { headers: { authorization: `Bearer ${body.access_token}` } })
    expect(identity.status).toBe(200)
    expect(await identity.json()).toMatchObject({ id: body.id, username: USERNAME })
    expect((await fetch(body.id)).status).toBe(403)
    const onInstance = body.id.replace(emulator.url, emulator.instanceUrl)
    expect((await fetch(onInstance, { headers: { authorization: `Bearer ${body.access_token}` } })).status).toBe(404)
  })

  it('serves the REST API on the instance host only', async () => {
    const token = await login()
    const onLogin = await fetch(`${emulator.url}${V}/query?q=SELECT+Id+FROM+Product2`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(onLogin.status).toBe(404)
  })

  it('accepts the sandbox audience and its own URL', async () => {
    for (const aud of ['https://test.salesforce.com', emulator.url]) {
      const { status } = await requestToken({ grant_type: JWT_BEARER, assertion: assertion({ aud }) })
      expect(status).toBe(200)
    }
  })

  const now = () => Math.floor(Date.now() / 1000)
  it.each([
    [
      'a grant type other than jwt-bearer',
      () => ({ grant_type: 'password' }),
      'unsupported_grant_type',
      'grant type not supported',
    ],
    ['a garbled assertion', () => ({ assertion: 'not-a-jwt' }), 'invalid_grant', 'invalid assertion'],
    [
      'a signature by another key',
      () => ({ assertion: assertion({}, {}, generateKeyPair().privateKey) }),
      'invalid_grant',
      'invalid assertion',
    ],
    [
      'an HMAC signature',
      () => ({
        assertion: jwt.sign({ iss: CONSUMER_KEY, sub: USERNAME, aud: 'https://login.salesforce.com' }, 'secret', {
          expiresIn: 180,
        }),
      }),
      'invalid_grant',
      'invalid assertion',
    ],
    [
      'an unknown consumer key',
      () => ({ assertion: assertion({ iss: 'someone-else' }) }),
      'invalid_client_id',
      'client identifier invalid',
    ],
    [
      'a user who has not approved the app',
      () => ({ assertion: assertion({ sub: 'other@flowcart.example' }) }),
      'invalid_grant',
      "user hasn't approved this consumer",
    ],
    [
      'a My Domain audience',
      () => ({ assertion: assertion({ aud: 'https://acme.my.salesforce.com' }) }),
      'invalid_grant',
      'audience is invalid',
    ],
    [
      'an expired assertion',
      () => ({ assertion: assertion({ exp: now() - 60 }) }),
      'invalid_grant',
      'expired authorization code',
    ],
    [
      'no exp claim',
      () => ({ assertion: assertion({ exp: undefined }) }),
      'invalid_grant',
      'expired authorization code',
    ],
    [
      'an exp in milliseconds',
      () => ({ assertion: assertion({ exp: Date.now() + 180_000 }) }),
      'invalid_grant',
      'invalid assertion',
    ],
    [
      'an exp more than 3 minutes ahead',
      () => ({ assertion: assertion({ exp: now() + 240 }) }),
      'invalid_grant',
      'invalid assertion',
    ],
  ])('refuses %s', async (_case, form, error, error_description) => {
    const { status, headers, body } = await requestToken({ grant_type: JWT_BEARER, assertion: assertion(), ...form() })
    expect(status).toBe(400)
    expect(headers.get('content-type')).toBe(SALESFORCE_JSON)
    expect(body).toEqual({ error, error_description })
  })

  it('fails the next token requests on demand, then grants again', async () => {
    emulator.failNextTokenRequests(1)
    emulator.failNextTokenRequests(1, {
      error: 'invalid_app_access',
      error_description: 'user is not admin approved to access this app',
    })
    const form = { grant_type: JWT_BEARER, assertion: assertion() }
    expect(await requestToken(form)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: "user hasn't approved this consumer" },
    })
    expect(await requestToken(form)).toMatchObject({ status: 400, body: { error: 'invalid_app_access' } })
    expect((await requestToken(form)).status).toBe(200)
    expect(emulator.counters()).toMatchObject({
      tokenRequests: 3,
      apiCalls: 0,
      byEndpoint: { 'POST /services/oauth2/token': 3 },
    })
  })
})

describe('sessions', () => {
  beforeEach(() => start({ products: products(1) }))

  it('answers a call without a valid token with 401 INVALID_SESSION_ID', async () => {
    for (const headers of [{}, { authorization: 'Bearer made-up' }, { authorization: 'Basic dXNlcjpwdw==' }] as Record<
      string,
      string
    >[]) {
      const response = await api('GET', 'query?q=SELECT+Id+FROM+Product2', { headers })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Token')
      expect(response.headers.get('content-type')).toBe(SALESFORCE_JSON)
      expect(response.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
    }
  })

  it('accepts the OAuth scheme as well as Bearer', async () => {
    const token = await login()
    const response = await api('GET', 'query?q=SELECT+Id+FROM+Product2', {
      headers: { authorization: `OAuth ${token}` },
    })
    expect(response.status).toBe(200)
  })

  it('invalidates every issued token on expireAllTokens, and a new token works', async () => {
    const token = await login()
    emulator.expireAllTokens()
    expect((await query(token, 'SELECT Id FROM Product2')).status).toBe(401)
    expect((await query(await login(), 'SELECT Id FROM Product2')).status).toBe(200)
  })
})

describe('query', () => {
  let token: string
  beforeEach(async () => {
    await start({
      products: [
        { Name: 'Desk', ProductCode: 'DESK-1', StockKeepingUnit: 'SKU-DESK', IsActive: true, Qty_In_Stock__c: 4 },
        { Name: "O'Brien chair", ProductCode: "O'B-2" },
        { Name: 'Lamp', ProductCode: 'LAMP-3', Qty_In_Stock__c: 0 },
      ],
    })
    token = await login()
  })

  it('returns the selected fields with attributes, nulls included', async () => {
    const response = await query(
      token,
      "SELECT Id, Name, Qty_In_Stock__c FROM Product2 WHERE ProductCode IN ('DESK-1', 'O\\'B-2')",
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(SALESFORCE_JSON)
    const [desk, chair] = emulator.records()
    expect(response.body).toEqual({
      totalSize: 2,
      done: true,
      records: [
        {
          attributes: { type: 'Product2', url: `${V}/sobjects/Product2/${desk?.Id}` },
          Id: desk?.Id,
          Name: 'Desk',
          Qty_In_Stock__c: 4,
        },
        {
          attributes: { type: 'Product2', url: `${V}/sobjects/Product2/${chair?.Id}` },
          Id: chair?.Id,
          Name: "O'Brien chair",
          Qty_In_Stock__c: null,
        },
      ],
    })
  })

  it('compares text case-insensitively, matches 15-char Ids and honours LIMIT', async () => {
    const lamp = emulator.records()[2]
    const byCode = await query(token, "select Name from product2 where productcode = 'lamp-3'")
    expect(byCode.body.records).toEqual([{ attributes: expect.any(Object), Name: 'Lamp' }])
    const byId = await query(token, `SELECT Id FROM Product2 WHERE Id = '${lamp?.Id?.slice(0, 15)}'`)
    expect(byId.body.records[0].Id).toBe(lamp?.Id)
    const active = await query(token, 'SELECT Name FROM Product2 WHERE IsActive = true AND Qty_In_Stock__c = 4')
    expect(active.body.totalSize).toBe(1)
    const limited = await query(token, 'SELECT Name FROM Product2 LIMIT 2')
    expect(limited.body).toMatchObject({ totalSize: 2, done: true })
  })

  it('pages results over 2000 records through nextRecordsUrl', async () => {
    emulator.addProducts(products(2500, 100))
    const first = await query(token, 'SELECT Id, ProductCode FROM Product2')
    expect(first.body).toMatchObject({ totalSize: 2503, done: false })
    expect(first.body.records).toHaveLength(2000)
    expect(first.body.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g\w{15}-2000$/)
    const second = await api('GET', first.body.nextRecordsUrl, { token })
    expect(second.body).toMatchObject({ totalSize: 2503, done: true })
    expect(second.body.nextRecordsUrl).toBeUndefined()
    expect(second.body.records).toHaveLength(503)
    expect(emulator.counters().byEndpoint).toMatchObject({ 'GET query': 1, 'GET query/:locator': 1 })
  })

  it('accepts an IN list of 200 Ids in the URL', async () => {
    const ids = emulator.addProducts(products(200, 10)).map((p) => p.Id)
    const soql = `SELECT Id FROM Product2 WHERE Id IN (${ids.map((id) => `'${id}'`).join(', ')})`
    const response = await query(token, soql)
    expect(response.status).toBe(200)
    expect(response.body.totalSize).toBe(200)
  })

  it('caps URI and headers at 16,384 bytes: 414 for a long URI, 431 for long headers', async () => {
    const ids = emulator.addProducts(products(1000, 10)).map((p) => p.Id)
    const soql = `SELECT Id FROM Product2 WHERE Id IN (${ids.map((id) => `'${id}'`).join(', ')})`
    expect(encodeURIComponent(soql).length).toBeGreaterThan(16_384)
    expect((await query(token, soql)).status).toBe(414)
    const headers = { 'x-padding': 'p'.repeat(16_400) }
    const tooMuch = await api('GET', 'query?q=SELECT+Id+FROM+Product2', { token, headers })
    expect(tooMuch.status).toBe(431)
    const justUnder = await api('GET', 'query?q=SELECT+Id+FROM+Product2', {
      token,
      headers: { 'x-padding': 'p'.repeat(15_000) },
    })
    expect(justUnder.status).toBe(200)
  })

  it.each([
    [
      'an unknown field',
      'SELECT Id, Stock__c FROM Product2',
      'INVALID_FIELD',
      "No such column 'Stock__c' on entity 'Product2'",
    ],
    [
      'an unknown field in WHERE',
      "SELECT Id FROM Product2 WHERE Sku__c = 'x'",
      'INVALID_FIELD',
      "No such column 'Sku__c'",
    ],
    ['an unknown object', 'SELECT Id FROM Product3', 'INVALID_TYPE', "sObject type 'Product3' is not supported"],
    [
      'a quoted number',
      "SELECT Id FROM Product2 WHERE Qty_In_Stock__c = '4'",
      'INVALID_FIELD',
      'must be of type double',
    ],
    [
      'a malformed Id',
      "SELECT Id FROM Product2 WHERE Id = 'nope'",
      'INVALID_QUERY_FILTER_OPERATOR',
      'invalid ID field: nope',
    ],
    ['a missing FROM', 'SELECT Id Product2', 'MALFORMED_QUERY', 'unexpected token: Product2'],
    ['a dangling WHERE', 'SELECT Id FROM Product2 WHERE', 'MALFORMED_QUERY', 'unexpected token: <EOF>'],
    ['an unterminated string', "SELECT Id FROM Product2 WHERE Name = 'x", 'MALFORMED_QUERY', 'unterminated'],
  ])('refuses %s', async (_case, soql, errorCode, message) => {
    const response = await query(token, soql)
    expect(response.status).toBe(400)
    expect(response.body).toEqual([{ errorCode, message: expect.stringContaining(message) }])
  })

  it('refuses a missing query string and an unknown locator', async () => {
    expect((await api('GET', 'query', { token })).body).toEqual([
      { errorCode: 'MALFORMED_QUERY', message: expect.any(String) },
    ])
    const locator = await api('GET', 'query/01gEm0000000099AAA-2000', { token })
    expect(locator.body).toEqual([{ errorCode: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' }])
  })
})

describe('single-record update', () => {
  let token: string
  let id: string
  beforeEach(async () => {
    await start({ products: products(2) })
    token = await login()
    id = emulator.records()[0]?.Id as string
  })

  it('answers 204 with an empty body and applies the change', async () => {
    const response = await api('PATCH', `sobjects/Product2/${id}`, {
      token,
      body: { Qty_In_Stock__c: 7, IsActive: true },
    })
    expect(response.status).toBe(204)
    expect(response.text).toBe('')
    expect(response.headers.get('sforce-limit-info')).toBe('api-usage=1/15000')
    expect(emulator.records()[0]).toMatchObject({ Id: id, Qty_In_Stock__c: 7, IsActive: true })
  })

  it('answers 404 NOT_FOUND for an unknown or deleted Id', async () => {
    emulator.deleteRecord(id)
    for (const target of [id, NEVER_EXISTED]) {
      const response = await api('PATCH', `sobjects/Product2/${target}`, { token, body: { Qty_In_Stock__c: 1 } })
      expect(response.status).toBe(404)
      expect(response.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }])
    }
    const malformed = await api('PATCH', 'sobjects/Product2/23foo', { token, body: { Qty_In_Stock__c: 1 } })
    expect(malformed.body[0].message).toBe('Provided external ID field does not exist or is not accessible: 23foo')
  })

  it('refuses an unknown field and a mistyped value with 400', async () => {
    const unknown = await api('PATCH', `sobjects/Product2/${id}`, { token, body: { Stock__c: 1 } })
    expect(unknown.status).toBe(400)
    expect(unknown.body).toEqual([
      { errorCode: 'INVALID_FIELD', message: "No such column 'Stock__c' on sobject of type Product2", fields: [] },
    ])
    const mistyped = await api('PATCH', `sobjects/Product2/${id}`, { token, body: { Qty_In_Stock__c: 'seven' } })
    expect(mistyped.status).toBe(400)
    expect(mistyped.body[0].errorCode).toBe('JSON_PARSER_ERROR')
    expect(emulator.records()[0]?.Qty_In_Stock__c).toBe(0)
  })
})

describe('collections update', () => {
  let token: string
  let ids: string[]
  const update = (records: Record<string, unknown>[], allOrNone = false) =>
    api('PATCH', 'composite/sobjects', {
      token,
      body: { allOrNone, records: records.map((r) => ({ attributes: { type: 'Product2' }, ...r })) },
    })

  beforeEach(async () => {
    await start({ products: products(4) })
    token = await login()
    ids = emulator.records().map((p) => p.Id as string)
  })

  it('reports each record in order and applies the valid ones', async () => {
    emulator.deleteRecord(ids[1] as string)
    emulator.failRecords(
      (r) => r.ProductCode === 'P-3',
      'UNABLE_TO_LOCK_ROW',
      'unable to obtain exclusive access to this record',
    )
    const response = await update([
      { id: ids[0], Qty_In_Stock__c: 10 },
      { id: ids[1], Qty_In_Stock__c: 11 },
      { id: ids[2], Qty_In_Stock__c: 12 },
      { id: NEVER_EXISTED, Qty_In_Stock__c: 13 },
      { id: '01tBAD', Qty_In_Stock__c: 14 },
      { id: ids[3], Qty_In_Stock__c: 15 },
    ])
    expect(response.status).toBe(200)
    expect(response.body).toEqual([
      { id: ids[0], success: true, errors: [] },
      {
        id: ids[1],
        success: false,
        errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }],
      },
      {
        id: ids[2],
        success: false,
        errors: [
          { statusCode: 'UNABLE_TO_LOCK_ROW', message: 'unable to obtain exclusive access to this record', fields: [] },
        ],
      },
      {
        id: NEVER_EXISTED,
        success: false,
        errors: [{ statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] }],
      },
      { success: false, errors: [{ statusCode: 'MALFORMED_ID', message: 'malformed id 01tBAD', fields: [] }] },
      { id: ids[3], success: true, errors: [] },
    ])
    expect(emulator.records().map((p) => p.Qty_In_Stock__c)).toEqual([10, 0, 15])

    emulator.clearRecordFailures()
    expect((await update([{ id: ids[2], Qty_In_Stock__c: 12 }])).body[0].success).toBe(true)
  })

  it('applies nothing under allOrNone when one record fails', async () => {
    const response = await update(
      [
        { id: ids[0], Qty_In_Stock__c: 10 },
        { id: ids[1], Stock__c: 11 },
      ],
      true,
    )
    expect(response.body).toEqual([
      {
        id: ids[0],
        success: false,
        errors: [
          {
            statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
            message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
            fields: [],
          },
        ],
      },
      {
        id: ids[1],
        success: false,
        errors: [
          { statusCode: 'INVALID_FIELD', message: "No such column 'Stock__c' on sobject of type Product2", fields: [] },
        ],
      },
    ])
    expect(emulator.records().map((p) => p.Qty_In_Stock__c)).toEqual([0, 0, 0, 0])
  })

  it('takes 200 records and refuses 201 with EXCEEDED_ID_LIMIT', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ id: ids[i % 4], Qty_In_Stock__c: i }))
    expect((await update(many(200))).body).toHaveLength(200)
    const response = await update(many(201))
    expect(response.status).toBe(400)
    expect(response.body).toEqual([
      {
        message: 'record limit reached. cannot submit more than 200 records into this call',
        errorCode: 'EXCEEDED_ID_LIMIT',
      },
    ])
  })
})

describe('platform events', () => {
  let token: string
  beforeEach(async () => {
    await start()
    token = await login()
  })

  const event = (quantity: number) => ({
    [INVENTORY_EVENT_FIELDS.productId]: 42,
    [INVENTORY_EVENT_FIELDS.sku]: 'SKU-42',
    [INVENTORY_EVENT_FIELDS.quantityInStock]: quantity,
  })
  // The integration user's session published them (the emulator's first user).
  const createdById = expect.stringMatching(/^005[A-Za-z0-9]{15}$/)
  const enqueued = {
    id: expect.stringMatching(/^e01\w{15}$/),
    success: true,
    errors: [{ statusCode: 'OPERATION_ENQUEUED', message: expect.stringMatching(/^[0-9a-f-]{36}$/), fields: [] }],
  }

  it('publishes through collections with an OPERATION_ENQUEUED notice and increasing replay ids', async () => {
    const records = [
      { attributes: { type: DEFAULT_INVENTORY_EVENT }, ...event(3) },
      { attributes: { type: 'Unknown_Event__e' }, ...event(4) },
      { attributes: { type: DEFAULT_INVENTORY_EVENT }, ...event(5), Colour__c: 'red' },
      { attributes: { type: DEFAULT_INVENTORY_EVENT }, ...event(6) },
    ]
    const response = await api('POST', 'composite/sobjects', { token, body: { allOrNone: false, records } })
    expect(response.status).toBe(200)
    expect(response.body).toEqual([
      enqueued,
      {
        success: false,
        errors: [{ statusCode: 'NOT_FOUND', message: 'The requested resource does not exist', fields: [] }],
      },
      {
        success: false,
        errors: [
          {
            statusCode: 'INVALID_FIELD',
            message: `No such column 'Colour__c' on sobject of type ${DEFAULT_INVENTORY_EVENT}`,
            fields: [],
          },
        ],
      },
      enqueued,
    ])
    expect(emulator.events()).toEqual([
      { type: DEFAULT_INVENTORY_EVENT, replayId: 1, fields: event(3), receivedAt: expect.any(String), createdById },
      { type: DEFAULT_INVENTORY_EVENT, replayId: 2, fields: event(6), receivedAt: expect.any(String), createdById },
    ])
    expect(emulator.counters().byEndpoint['POST composite/sobjects']).toBe(1)
  })

  it('publishes one event with 201 and answers 404 for an unknown event', async () => {
    const response = await api('POST', `sobjects/${DEFAULT_INVENTORY_EVENT}`, { token, body: event(8) })
    expect(response.status).toBe(201)
    expect(response.body).toEqual(enqueued)
    const unknown = await api('POST', 'sobjects/Unknown_Event__e', { token, body: event(9) })
    expect(unknown.status).toBe(404)
    expect(unknown.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }])
    expect(emulator.events().map((e) => e.fields[INVENTORY_EVENT_FIELDS.quantityInStock])).toEqual([8])
    expect(emulator.counters().byEndpoint['POST sobjects/:event']).toBe(2)
  })
})

describe('counters, limits and faults', () => {
  let token: string
  beforeEach(async () => {
    await start({ products: products(1), apiLimit: 5 })
    token = await login()
  })

  it('counts REST calls by endpoint apart from token requests, and reports usage', async () => {
    const id = emulator.records()[0]?.Id
    await query(token, 'SELECT Id FROM Product2')
    await api('PATCH', `sobjects/Product2/${id}`, { token, body: { Qty_In_Stock__c: 1 } })
    const last = await api('PATCH', 'composite/sobjects', { token, body: { records: [] } })
    expect(last.headers.get('sforce-limit-info')).toBe('api-usage=3/5')
    expect(emulator.counters()).toEqual({
      tokenRequests: 1,
      apiCalls: 3,
      byEndpoint: {
        'POST /services/oauth2/token': 1,
        'GET query': 1,
        'PATCH sobjects/Product2/:id': 1,
        'PATCH composite/sobjects': 1,
      },
    })
    emulator.resetCounters()
    expect(emulator.counters()).toEqual({ tokenRequests: 0, apiCalls: 0, byEndpoint: {} })
  })

  it('answers REQUEST_LIMIT_EXCEEDED once usage passes the daily limit', async () => {
    for (let i = 0; i < 5; i++) expect((await query(token, 'SELECT Id FROM Product2')).status).toBe(200)
    const over = await query(token, 'SELECT Id FROM Product2')
    expect(over.status).toBe(403)
    expect(over.headers.get('sforce-limit-info')).toBe('api-usage=6/5')
    expect(over.body).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }])
  })

  it('fails the next calls as asked, counting them, then recovers', async () => {
    emulator.failNextApiCalls(1, 'unavailable')
    emulator.failNextApiCalls(1, 'limit')
    emulator.failNextApiCalls(1, 'server-error')
    const statuses = []
    for (let i = 0; i < 4; i++) {
      const response = await api('PATCH', 'composite/sobjects', { token, body: { records: [] } })
      statuses.push([response.status, response.body[0]?.errorCode])
    }
    expect(statuses).toEqual([
      [503, 'SERVER_UNAVAILABLE'],
      [403, 'REQUEST_LIMIT_EXCEEDED'],
      [500, 'UNKNOWN_EXCEPTION'],
      [200, undefined],
    ])
    expect(emulator.counters().byEndpoint['PATCH composite/sobjects']).toBe(4)
  })

  it('answers 503 to every REST call while down, before looking at the session, but still grants tokens', async () => {
    emulator.setDown(true)
    const response = await api('GET', 'query?q=SELECT+Id+FROM+Product2')
    expect(response.status).toBe(503)
    expect(response.body).toEqual([{ message: expect.any(String), errorCode: 'SERVER_UNAVAILABLE' }])
    const fresh = await login()
    emulator.setDown(false)
    expect((await query(fresh, 'SELECT Id FROM Product2')).status).toBe(200)
  })

  it('delays responses by the configured latency', async () => {
    emulator.setLatency(150)
    const started = performance.now()
    await query(token, 'SELECT Id FROM Product2')
    expect(performance.now() - started).toBeGreaterThanOrEqual(145)
  })
})

describe('admin endpoints', () => {
  beforeEach(() => start({ products: products(2) }))

  const admin = (method: string, path: string, body?: unknown) => api(method, `/__emulator/${path}`, { body })

  it('shows state, records and events without authentication', async () => {
    await login()
    const state = await admin('GET', 'state')
    expect(state.status).toBe(200)
    expect(state.body).toEqual({ counters: emulator.counters(), records: emulator.records(), events: [] })
    expect((await admin('GET', 'records')).body).toHaveLength(2)
    expect((await admin('GET', 'events')).body).toEqual([])
  })

  it('injects faults and resets counters', async () => {
    const token = await login()
    const set = await admin('POST', 'faults', {
      failNextApiCalls: { count: 1, failure: 'limit' },
      latencyMs: 0,
      down: false,
    })
    expect(set.body).toMatchObject({ pendingApiFailures: ['limit'], down: false })
    expect((await query(token, 'SELECT Id FROM Product2')).status).toBe(403)
    await admin('POST', 'faults', { expireAllTokens: true, failNextTokenRequests: 1 })
    expect((await query(token, 'SELECT Id FROM Product2')).status).toBe(401)
    expect((await requestToken({ grant_type: JWT_BEARER, assertion: assertion() })).status).toBe(400)
    expect((await admin('POST', 'faults', { down: 'yes' })).status).toBe(400)
    expect((await admin('POST', 'reset-counters')).status).toBe(204)
    expect(emulator.counters().apiCalls).toBe(0)
  })

  it('adds and deletes records', async () => {
    const added = await admin('POST', 'records', [{ Name: 'Shelf', ProductCode: 'SHELF-1' }])
    expect(added.status).toBe(201)
    expect(added.body[0].Id).toMatch(/^01t\w{15}$/)
    expect((await admin('DELETE', `records/${added.body[0].Id}`)).status).toBe(204)
    expect(emulator.records().map((p) => p.Name)).toEqual(['Product 1', 'Product 2'])
  })
})

describe('jsforce against the emulator', () => {
  it('authorizes, queries across pages and updates through collections', async () => {
    const { Connection } = await import('@jsforce/jsforce-node')
    await start({ products: products(2100) })
    const token = await requestToken({ grant_type: JWT_BEARER, assertion: assertion() })
    const conn = new Connection({
      version: '62.0',
      instanceUrl: token.body.instance_url,
      accessToken: token.body.access_token,
    })

    const result = await conn.query<{ Id: string; ProductCode: string }>(
      "SELECT Id, ProductCode FROM Product2 WHERE ProductCode IN ('P-1', 'P-2')",
    )
    expect(result.totalSize).toBe(2)
    expect(result.records.map((r) => r.ProductCode)).toEqual(['P-1', 'P-2'])

    const all = await conn.query<{ Id: string }>('SELECT Id FROM Product2').run({ autoFetch: true, maxFetch: 5000 })
    expect(all.records).toHaveLength(2100)

    const [first, second] = result.records.map((r) => r.Id)
    const saved = await conn.sobject(PRODUCT_OBJECT).update([
      { Id: first as string, Qty_In_Stock__c: 5 },
      { Id: NEVER_EXISTED, Qty_In_Stock__c: 6 },
      { Id: second as string, Qty_In_Stock__c: 7 },
    ])
    expect(saved.map((r) => r.success)).toEqual([true, false, true])
    expect(
      emulator
        .records()
        .slice(0, 2)
        .map((p) => p.Qty_In_Stock__c),
    ).toEqual([5, 7])
    expect(conn.limitInfo.apiUsage).toEqual({ used: 4, limit: 15_000 })

    await expect(conn.sobject(PRODUCT_OBJECT).update({ Id: NEVER_EXISTED, Qty_In_Stock__c: 1 })).rejects.toMatchObject({
      errorCode: 'NOT_FOUND',
    })
  })

  it('gets its token through jsforce OAuth2 and publishes events with create', async () => {
    const { Connection, OAuth2 } = await import('@jsforce/jsforce-node')
    await start()
    const conn = new Connection({ version: '62.0', oauth2: new OAuth2({ loginUrl: emulator.url }) })
    const userInfo = await conn.authorize({ grant_type: JWT_BEARER, assertion: assertion({ aud: emulator.url }) })
    expect(userInfo.organizationId).toMatch(/^00D/)
    const results = await conn
      .sobject(DEFAULT_INVENTORY_EVENT)
      .create([{ [INVENTORY_EVENT_FIELDS.sku]: 'SKU-1', [INVENTORY_EVENT_FIELDS.quantityInStock]: 3 }])
    expect(results[0]).toMatchObject({ success: true })
    expect(emulator.events()).toHaveLength(1)
  })
})
