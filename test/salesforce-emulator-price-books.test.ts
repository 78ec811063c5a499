// The emulator's standard price book: the queries a catalog import sends, the PricebookEntry REST writes, the controls
// that stand for a person editing prices in the Salesforce UI, and the record changes each of them reports.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  type EmulatorProduct,
  generateKeyPair,
  type RecordChange,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../tools/salesforce-emulator/index.js'

const USERNAME = 'integration@price-books.example'
const V = '/services/data/v63.0'
const ORIGIN = 'com/salesforce/api/rest/63.0;client=flowcart'
const NO_SUCH_PRODUCT = '01t000000000000AAA'

let publicKey: string
let emulator: SalesforceEmulator
let token: string
let changes: RecordChange[]

beforeAll(() => {
  publicKey = generateKeyPair().publicKey
})

async function start(products: EmulatorProduct[] = []): Promise<void> {
  emulator = await startSalesforceEmulator({ consumerKey: 'price-books.test', username: USERNAME, publicKey, products })
  token = emulator.openSession(USERNAME).accessToken
  changes = []
  emulator.onRecordChange((_orgId, change) => changes.push(change))
}

afterEach(async () => {
  await emulator?.close()
})

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
type Body = any

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
  const admin = path.startsWith('/__emulator')
  const response = await fetch(`${admin ? emulator.url : emulator.instanceUrl}${admin ? path : `${V}/${path}`}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'sforce-call-options': 'client=flowcart',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : undefined }
}

const query = async (soql: string) => {
  const response = await api('GET', `query?q=${encodeURIComponent(soql)}`)
  expect(response.status).toBe(200)
  return response.body
}

const quoted = (ids: string[]) => ids.map((id) => `'${id}'`).join(', ')

const entriesQuery = () =>
  `SELECT Id, Product2Id, UnitPrice, IsActive FROM PricebookEntry WHERE Pricebook2Id = '${emulator.standardPricebookId}'`

const byCode = (code: string) => emulator.records().find((p) => p.ProductCode === code)?.Id as string
const entryOf = (product2Id: string) => emulator.priceEntries().find((e) => e.Product2Id === product2Id)

const summary = (change: RecordChange) => [change.entityName, change.changeType, change.recordId]

const CATALOG: EmulatorProduct[] = [
  { Name: 'Desk', ProductCode: 'DESK-1', Description: 'Oak', IsActive: true, standardPrice: 250 },
  { Name: 'Lamp', ProductCode: 'LAMP-2', IsActive: true, standardPrice: 19.99, priceActive: false },
  { Name: 'Chair', ProductCode: 'CHAIR-3', IsActive: false },
]

describe('the queries of a catalog import', () => {
  beforeEach(() => start(CATALOG))

  it('finds the one standard price book', async () => {
    const result = await query('SELECT Id FROM Pricebook2 WHERE IsStandard = true')
    expect(result).toEqual({
      totalSize: 1,
      done: true,
      records: [
        {
          attributes: { type: 'Pricebook2', url: `${V}/sobjects/Pricebook2/${emulator.standardPricebookId}` },
          Id: emulator.standardPricebookId,
        },
      ],
    })
    expect(emulator.standardPricebookId).toMatch(/^01s\w{15}$/)
    const described = await query('SELECT Name, IsStandard, IsActive FROM Pricebook2')
    expect(described.records[0]).toMatchObject({ Name: 'Standard Price Book', IsStandard: true, IsActive: true })
    expect((await query('SELECT Id FROM Pricebook2 WHERE IsStandard = false')).totalSize).toBe(0)
  })

  it('lists the standard prices of the products that have one, active or not', async () => {
    const result = await query(entriesQuery())
    const [desk, lamp] = emulator.priceEntries()
    expect(result.totalSize).toBe(2)
    expect(result.records).toEqual([
      {
        attributes: { type: 'PricebookEntry', url: `${V}/sobjects/PricebookEntry/${desk?.Id}` },
        Id: desk?.Id,
        Product2Id: byCode('DESK-1'),
        UnitPrice: 250,
        IsActive: true,
      },
      {
        attributes: { type: 'PricebookEntry', url: `${V}/sobjects/PricebookEntry/${lamp?.Id}` },
        Id: lamp?.Id,
        Product2Id: byCode('LAMP-2'),
        UnitPrice: 19.99,
        IsActive: false,
      },
    ])
    expect(desk?.Id).toMatch(/^01u\w{15}$/)
  })

  it('narrows the entries to given entry Ids or product Ids, 15-character ones too', async () => {
    const [desk, lamp] = emulator.priceEntries()
    const byEntry = await query(`${entriesQuery()} AND Id IN (${quoted([lamp?.Id.slice(0, 15) as string])})`)
    expect(byEntry.records.map((r: Body) => r.Id)).toEqual([lamp?.Id])
    const products = [byCode('DESK-1'), byCode('CHAIR-3')]
    const byProduct = await query(`${entriesQuery()} AND Product2Id IN (${quoted(products)})`)
    expect(byProduct.records.map((r: Body) => r.Id)).toEqual([desk?.Id])
  })

  it('reads the product fields of the import, all of them or some by Id', async () => {
    const all = await query('SELECT Id, ProductCode, Name, Description, IsActive, Qty_In_Stock__c FROM Product2')
    expect(all.records.map(({ attributes, ...fields }: Body) => fields)).toEqual([
      {
        Id: byCode('DESK-1'),
        ProductCode: 'DESK-1',
        Name: 'Desk',
        Description: 'Oak',
        IsActive: true,
        Qty_In_Stock__c: null,
      },
      {
        Id: byCode('LAMP-2'),
        ProductCode: 'LAMP-2',
        Name: 'Lamp',
        Description: null,
        IsActive: true,
        Qty_In_Stock__c: null,
      },
      {
        Id: byCode('CHAIR-3'),
        ProductCode: 'CHAIR-3',
        Name: 'Chair',
        Description: null,
        IsActive: false,
        Qty_In_Stock__c: null,
      },
    ])
    const some = await query(`SELECT Id, ProductCode FROM Product2 WHERE Id IN (${quoted([byCode('CHAIR-3')])})`)
    expect(some.records.map((r: Body) => r.ProductCode)).toEqual(['CHAIR-3'])
  })

  it("reads an entry's ProductCode and Name from its product, as they are now", async () => {
    emulator.updateRecord(byCode('DESK-1'), { ProductCode: 'DESK-9', Name: 'Standing desk' })
    const result = await query(`SELECT ProductCode, Name FROM PricebookEntry WHERE Product2Id = '${byCode('DESK-9')}'`)
    expect(result.records[0]).toMatchObject({ ProductCode: 'DESK-9', Name: 'Standing desk' })
  })

  it('pages more than 2000 entries through nextRecordsUrl', async () => {
    emulator.addProducts(
      Array.from({ length: 2100 }, (_, i) => ({ Name: `P${i}`, ProductCode: `P-${i}`, standardPrice: i })),
    )
    const first = await query(entriesQuery())
    expect(first).toMatchObject({ totalSize: 2102, done: false })
    expect(first.records).toHaveLength(2000)
    const second = await api('GET', first.nextRecordsUrl.replace(`${V}/`, ''))
    expect(second.body).toMatchObject({ totalSize: 2102, done: true })
    expect(second.body.records).toHaveLength(102)
  })

  it.each([
    [
      'an unknown field',
      'SELECT Id, ListPrice FROM PricebookEntry',
      'INVALID_FIELD',
      "No such column 'ListPrice' on entity 'PricebookEntry'",
    ],
    [
      'a Product2 field on an entry',
      'SELECT Description FROM PricebookEntry',
      'INVALID_FIELD',
      "No such column 'Description'",
    ],
    [
      'a quoted price',
      "SELECT Id FROM PricebookEntry WHERE UnitPrice = '5'",
      'INVALID_FIELD',
      "field 'UnitPrice' must be of type double",
    ],
    [
      'a malformed price book Id',
      "SELECT Id FROM PricebookEntry WHERE Pricebook2Id = 'std'",
      'INVALID_QUERY_FILTER_OPERATOR',
      'invalid ID field: std',
    ],
    ['an unknown object', 'SELECT Id FROM Pricebook', 'INVALID_TYPE', "sObject type 'Pricebook' is not supported"],
  ])('refuses %s as Salesforce does', async (_case, soql, errorCode, message) => {
    const response = await api('GET', `query?q=${encodeURIComponent(soql)}`)
    expect(response.status).toBe(400)
    expect(response.body).toEqual([{ errorCode, message: expect.stringContaining(message) }])
  })
})

describe('seeding and adding products with a standard price', () => {
  it('reports no change for what was seeded at start, like the seeded products', async () => {
    await start(CATALOG)
    expect(emulator.priceEntries()).toHaveLength(2)
    expect(changes).toEqual([])
  })

  it('reports the product, then its entry, as one UI transaction with no origin', async () => {
    await start()
    const [added] = emulator.addProducts([{ Name: 'Shelf', ProductCode: 'SHELF-1', standardPrice: 40 }])
    const [entry] = emulator.priceEntries()
    expect(entry).toMatchObject({
      Pricebook2Id: emulator.standardPricebookId,
      Product2Id: added?.Id,
      UnitPrice: 40,
      IsActive: true,
    })
    expect(changes.map(summary)).toEqual([
      ['Product2', 'CREATE', added?.Id],
      ['PricebookEntry', 'CREATE', entry?.Id],
    ])
    const [product, price] = changes
    expect(price).toMatchObject({ changeOrigin: '', commitUser: product?.commitUser, sequenceNumber: 2 })
    expect(price?.transactionKey).toBe(product?.transactionKey)
    expect(price?.record).toMatchObject({ Pricebook2Id: emulator.standardPricebookId, UnitPrice: 40, IsActive: true })
    expect(emulator.records()[0]).not.toHaveProperty('standardPrice')
  })

  it('gives every org a standard price book of its own', async () => {
    await start()
    const other = await emulator.addOrg({ consumerKey: 'other.key', username: 'other@price-books.example', publicKey })
    expect(other.standardPricebookId).toMatch(/^01s\w{15}$/)
    expect(other.standardPricebookId).not.toBe(emulator.standardPricebookId)
  })
})

describe('prices edited in the Salesforce UI', () => {
  beforeEach(() => start(CATALOG))

  it('sets a standard price: a CREATE for a product without one, an UPDATE naming UnitPrice after', async () => {
    const chair = byCode('CHAIR-3')
    const created = emulator.setStandardPrice(chair, 75)
    expect(created).toMatchObject({ Product2Id: chair, UnitPrice: 75, IsActive: true })
    const updated = emulator.setStandardPrice(chair, 80)
    expect(updated.Id).toBe(created.Id)
    expect(entryOf(chair)?.UnitPrice).toBe(80)
    expect(changes.map(summary)).toEqual([
      ['PricebookEntry', 'CREATE', created.Id],
      ['PricebookEntry', 'UPDATE', created.Id],
    ])
    expect(changes[1]).toMatchObject({ changedFields: ['UnitPrice'], changeOrigin: '' })
    emulator.setStandardPrice(chair, 80, false)
    expect(changes[2]?.changedFields).toEqual(['IsActive'])
    expect(() => emulator.setStandardPrice(NO_SUCH_PRODUCT, 1)).toThrow(/No such product/)
  })

  it("updates a product's and an entry's fields, refusing what the API refuses", async () => {
    const desk = byCode('DESK-1')
    emulator.updateRecord(desk, { Name: 'Desk XL', Description: null, IsActive: false, Qty_In_Stock__c: 3 })
    expect(emulator.records()[0]).toMatchObject({ Name: 'Desk XL', IsActive: false, Qty_In_Stock__c: 3 })
    expect(emulator.records()[0]).not.toHaveProperty('Description')
    const entry = entryOf(desk)?.Id as string
    emulator.updateRecord(entry, { unitprice: 260 })
    expect(entryOf(desk)?.UnitPrice).toBe(260)
    expect(changes.map((c) => [c.entityName, c.changedFields.sort(), c.nulledFields, c.changeOrigin])).toEqual([
      ['Product2', ['Description', 'IsActive', 'Name', 'Qty_In_Stock__c'], ['Description'], ''],
      ['PricebookEntry', ['UnitPrice'], [], ''],
    ])

    expect(() => emulator.updateRecord(entry, { Product2Id: byCode('LAMP-2') })).toThrow(
      /INVALID_FIELD_FOR_INSERT_UPDATE: Unable to create\/update fields: Product2Id/,
    )
    expect(() => emulator.updateRecord(entry, { UnitPrice: null })).toThrow(/REQUIRED_FIELD_MISSING/)
    expect(() => emulator.updateRecord(NO_SUCH_PRODUCT, { Name: 'x' })).toThrow(/INVALID_CROSS_REFERENCE_KEY/)
    expect(() => emulator.updateRecord(emulator.standardPricebookId, { Name: 'x' })).toThrow(/INVALID_TYPE/)
    expect(changes).toHaveLength(2)
  })

  it('applies no injected API failure to a UI edit', async () => {
    emulator.failRecords(() => true, 'UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record')
    emulator.updateRecord(byCode('DESK-1'), { Name: 'Still saved' })
    expect(emulator.records()[0]?.Name).toBe('Still saved')
  })

  it("deletes a product's entries with it, and undeletes them with it", async () => {
    const desk = byCode('DESK-1')
    const entry = entryOf(desk)?.Id as string
    emulator.deleteRecord(desk)
    expect(changes.map(summary)).toEqual([
      ['Product2', 'DELETE', desk],
      ['PricebookEntry', 'DELETE', entry],
    ])
    expect(changes[1]?.transactionKey).toBe(changes[0]?.transactionKey)
    expect((await query(entriesQuery())).records.map((r: Body) => r.Product2Id)).toEqual([byCode('LAMP-2')])
    expect(() => emulator.undeleteRecord(entry)).toThrow(/Not in the recycle bin/)

    emulator.undeleteRecord(desk)
    expect(changes.slice(2).map(summary)).toEqual([
      ['Product2', 'UNDELETE', desk],
      ['PricebookEntry', 'UNDELETE', entry],
    ])
    expect(entryOf(desk)).toMatchObject({ Id: entry, UnitPrice: 250 })
  })

  it('deletes and undeletes an entry on its own, which a product deleted later does not bring back', async () => {
    const desk = byCode('DESK-1')
    const entry = entryOf(desk)?.Id as string
    emulator.deleteRecord(entry)
    expect(entryOf(desk)).toBeUndefined()
    emulator.deleteRecord(desk)
    emulator.undeleteRecord(desk)
    expect(entryOf(desk)).toBeUndefined()
    emulator.undeleteRecord(entry)
    expect(entryOf(desk)?.Id).toBe(entry)
    expect(changes.map(summary)).toEqual([
      ['PricebookEntry', 'DELETE', entry],
      ['Product2', 'DELETE', desk],
      ['Product2', 'UNDELETE', desk],
      ['PricebookEntry', 'UNDELETE', entry],
    ])
  })

  it('refuses to undelete an entry whose product is deleted or has a new standard price', async () => {
    const desk = byCode('DESK-1')
    const entry = entryOf(desk)?.Id as string
    emulator.deleteRecord(entry)
    emulator.setStandardPrice(desk, 300)
    expect(() => emulator.undeleteRecord(entry)).toThrow(/another standard price/)
    const lamp = byCode('LAMP-2')
    const lampEntry = entryOf(lamp)?.Id as string
    emulator.deleteRecord(lampEntry)
    emulator.deleteRecord(lamp)
    expect(() => emulator.undeleteRecord(lampEntry)).toThrow(/undelete the product/)
  })

  it('never deletes the standard price book', async () => {
    expect(() => emulator.deleteRecord(emulator.standardPricebookId)).toThrow(/cannot be deleted/)
    expect((await query('SELECT Id FROM Pricebook2')).totalSize).toBe(1)
  })
})

describe('PricebookEntry through the REST API', () => {
  beforeEach(() => start(CATALOG))

  const create = (fields: Record<string, unknown>) => api('POST', 'sobjects/PricebookEntry', fields)

  it("creates an entry, inactive unless asked, reported with the caller's client origin", async () => {
    const chair = byCode('CHAIR-3')
    const created = await create({ Pricebook2Id: emulator.standardPricebookId, Product2Id: chair, UnitPrice: 60 })
    expect(created.status).toBe(201)
    expect(created.body).toEqual({ id: expect.stringMatching(/^01u\w{15}$/), success: true, errors: [] })
    expect(entryOf(chair)).toMatchObject({ Id: created.body.id, UnitPrice: 60, IsActive: false })
    expect(changes).toEqual([
      expect.objectContaining({
        entityName: 'PricebookEntry',
        changeType: 'CREATE',
        recordId: created.body.id,
        changeOrigin: ORIGIN,
        commitUser: emulator.sessionUserId(token),
      }),
    ])
  })

  it.each([
    [
      'a second standard price for a product',
      () => ({ Product2Id: byCode('DESK-1') }),
      'DUPLICATE_VALUE',
      'This price definition already exists in this price book',
      [],
    ],
    [
      'a product that does not exist',
      () => ({ Product2Id: NO_SUCH_PRODUCT }),
      'INVALID_CROSS_REFERENCE_KEY',
      'invalid cross reference id',
      ['Product2Id'],
    ],
    [
      "another object's Id as the product",
      () => ({ Product2Id: emulator.standardPricebookId }),
      'FIELD_INTEGRITY_EXCEPTION',
      'Product ID: id value of incorrect type: 01s',
      ['Product2Id'],
    ],
    [
      'no price',
      () => ({ Product2Id: byCode('CHAIR-3'), UnitPrice: undefined }),
      'REQUIRED_FIELD_MISSING',
      'Required fields are missing: [UnitPrice]',
      ['UnitPrice'],
    ],
    [
      'a read-only field',
      () => ({ Product2Id: byCode('CHAIR-3'), ProductCode: 'X' }),
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      'Unable to create/update fields: ProductCode. Please check the security settings of this field and verify that it is read/write for your profile or permission set.',
      ['ProductCode'],
    ],
  ])('refuses %s with 400', async (_case, fields, errorCode, message, errorFields) => {
    const response = await create({ Pricebook2Id: emulator.standardPricebookId, UnitPrice: 5, ...fields() })
    expect(response.status).toBe(400)
    expect(response.body).toEqual([{ errorCode, message: expect.stringContaining(message), fields: errorFields }])
    expect(emulator.priceEntries()).toHaveLength(2)
    expect(changes).toEqual([])
  })

  it('refuses an entry for a product in the recycle bin', async () => {
    const chair = byCode('CHAIR-3')
    emulator.deleteRecord(chair)
    const response = await create({ Pricebook2Id: emulator.standardPricebookId, Product2Id: chair, UnitPrice: 5 })
    expect(response.body).toEqual([
      { errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: ['Product2Id'] },
    ])
  })

  it('updates a price and its IsActive, never the product or price book it belongs to', async () => {
    const entry = entryOf(byCode('LAMP-2'))?.Id as string
    const patched = await api('PATCH', `sobjects/PricebookEntry/${entry}`, { UnitPrice: 21.5, IsActive: true })
    expect(patched.status).toBe(204)
    expect(entryOf(byCode('LAMP-2'))).toMatchObject({ UnitPrice: 21.5, IsActive: true })
    expect(changes[0]).toMatchObject({ changeType: 'UPDATE', changeOrigin: ORIGIN })
    expect(changes[0]?.changedFields.sort()).toEqual(['IsActive', 'UnitPrice'])

    const moved = await api('PATCH', `sobjects/PricebookEntry/${entry}`, { Product2Id: byCode('DESK-1') })
    expect(moved.status).toBe(400)
    expect(moved.body[0]).toMatchObject({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Product2Id'] })
    const mistyped = await api('PATCH', `sobjects/PricebookEntry/${entry}`, { UnitPrice: 'cheap' })
    expect(mistyped.body[0].errorCode).toBe('JSON_PARSER_ERROR')
    // A product's Id under the PricebookEntry path, and an entry that does not exist, are not found.
    for (const id of [byCode('LAMP-2'), '01u000000000000AAA']) {
      const response = await api('PATCH', `sobjects/PricebookEntry/${id}`, { UnitPrice: 1 })
      expect(response.status).toBe(404)
      expect(response.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }])
    }
  })

  it('deletes an entry, then answers ENTITY_IS_DELETED', async () => {
    const entry = entryOf(byCode('DESK-1'))?.Id as string
    expect((await api('DELETE', `sobjects/PricebookEntry/${entry}`)).status).toBe(204)
    expect(changes.map((c) => [c.entityName, c.changeType, c.changeOrigin])).toEqual([
      ['PricebookEntry', 'DELETE', ORIGIN],
    ])
    const again = await api('DELETE', `sobjects/PricebookEntry/${entry}`)
    expect(again).toEqual({ status: 404, body: [{ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted' }] })
    expect((await api('PATCH', `sobjects/PricebookEntry/${entry}`, { UnitPrice: 1 })).status).toBe(404)
  })

  it("deletes a product's entries when the API deletes the product", async () => {
    const desk = byCode('DESK-1')
    expect((await api('DELETE', `sobjects/Product2/${desk}`)).status).toBe(204)
    expect(changes.map((c) => [c.entityName, c.changeType, c.changeOrigin])).toEqual([
      ['Product2', 'DELETE', ORIGIN],
      ['PricebookEntry', 'DELETE', ORIGIN],
    ])
  })

  it('creates entries through sObject Collections, refusing the second of a pair within one request', async () => {
    const chair = byCode('CHAIR-3')
    const entry = (UnitPrice: number) => ({
      attributes: { type: 'PricebookEntry' },
      Pricebook2Id: emulator.standardPricebookId,
      Product2Id: chair,
      UnitPrice,
      IsActive: true,
    })
    const response = await api('POST', 'composite/sobjects', { allOrNone: false, records: [entry(1), entry(2)] })
    expect(response.status).toBe(200)
    expect(response.body).toEqual([
      { id: expect.stringMatching(/^01u/), success: true, errors: [] },
      {
        success: false,
        errors: [
          {
            statusCode: 'DUPLICATE_VALUE',
            message: 'This price definition already exists in this price book',
            fields: [],
          },
        ],
      },
    ])
    expect(entryOf(chair)?.UnitPrice).toBe(1)
  })

  it('does not write price books themselves', async () => {
    const response = await api('POST', 'sobjects/Pricebook2', { Name: 'Wholesale' })
    expect(response.status).toBe(404)
  })
})

describe('price controls over HTTP', () => {
  beforeEach(() => start(CATALOG))

  it('lists entries, sets a standard price and edits a record', async () => {
    const chair = byCode('CHAIR-3')
    const set = await api('PUT', `/__emulator/records/${chair}/standard-price`, { unitPrice: 70, isActive: false })
    expect(set.status).toBe(200)
    expect(set.body).toMatchObject({ Product2Id: chair, UnitPrice: 70, IsActive: false })
    const edited = await api('PATCH', `/__emulator/records/${set.body.Id}`, { UnitPrice: 72 })
    expect(edited.status).toBe(204)
    const listed = await api('GET', '/__emulator/price-entries')
    expect(listed.body).toEqual(emulator.priceEntries())
    expect(listed.body.find((e: Body) => e.Product2Id === chair).UnitPrice).toBe(72)
    expect((await api('PATCH', `/__emulator/records/${chair}`, { Nope__c: 1 })).status).toBe(400)
    expect((await api('PUT', `/__emulator/records/${NO_SUCH_PRODUCT}/standard-price`, { unitPrice: 1 })).status).toBe(
      400,
    )
  })
})
