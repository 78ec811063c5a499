import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { createLogger } from '../src/logger.js'
import {
  authHeaders,
  buildTestApp,
  databaseUrlFor,
  engines,
  openTestDatabase,
  registerCleanup,
  sharedDatabaseUrlFor,
  testConfig,
} from './helper.js'
import { walkPages } from './support/page-walk.js'

const order = (items: Array<{ productId: number; quantity: number }>, extra: Record<string, unknown> = {}) => ({
  method: 'POST' as const,
  url: '/orders',
  headers: authHeaders,
  payload: { items, ...extra },
})

describe.each(engines)('orders on %s', (engine) => {
  it('places an order: stock is reserved, prices are captured, lines for one product are merged', async () => {
    const app = await buildTestApp(engine)
    const before = (await app.inject({ url: '/products/1', headers: authHeaders })).json()

    const response = await app.inject(
      order(
        [
          { productId: 1, quantity: 2 },
          { productId: 2, quantity: 1 },
          { productId: 1, quantity: 3 },
        ],
        { customerEmail: 'ada@example.com' },
      ),
    )

    expect(response.statusCode).toBe(201)
    const placed = response.json()
    expect(placed).toMatchObject({ status: 'placed', customerEmail: 'ada@example.com', currencyCode: 'USD' })
    expect(placed.items).toHaveLength(2)
    expect(placed.items[0]).toMatchObject({ productId: 1, sku: before.sku, quantity: 5, unitPrice: before.price })
    expect(placed.items[0].itemTotalPrice).toBeCloseTo(before.price * 5, 2)
    expect(placed.totalPrice).toBeCloseTo(placed.items[0].itemTotalPrice + placed.items[1].itemTotalPrice, 2)
    const after = (await app.inject({ url: '/products/1', headers: authHeaders })).json()
    expect(after.quantityInStock).toBe(before.quantityInStock - 5)
    expect((await app.inject({ url: `/orders/${placed.id}`, headers: authHeaders })).json()).toEqual(placed)
  })

  // 40 is all of product 1's stock: that line could be taken, and must neither be blamed nor kept.
  it.each([1, 40])(
    'refuses an order that lacks stock for one line, names the product and reserves nothing (first line %i)',
    async (firstQuantity) => {
      const app = await buildTestApp(engine)
      const inventory = () => app.inject({ url: '/inventory', headers: authHeaders }).then((r) => r.json())
      const before = await inventory()
      await app.inject({ method: 'PUT', url: '/inventory/3', headers: authHeaders, payload: { quantityInStock: 1 } })

      const response = await app.inject(
        order([
          { productId: 1, quantity: firstQuantity },
          { productId: 3, quantity: 2 },
        ]),
      )

      expect(response.statusCode).toBe(409)
      expect(response.json()).toMatchObject({ statusCode: 409, code: 'OUT_OF_STOCK', error: 'Conflict' })
      expect(response.json().message).toContain('Product 3 (FC-PAD-R4) has 1 in stock; 2 requested')
      const after = await inventory()
      expect(after[0].quantityInStock).toBe(before[0].quantityInStock)
      expect(after[2].quantityInStock).toBe(1)
      expect((await app.inject({ url: '/orders', headers: authHeaders })).json()).toEqual([])
    },
  )

  it('refuses an order mixing currencies with 400 VALIDATION, and changes no stock', async () => {
    const databaseUrl = await databaseUrlFor(engine)
    const db = await openTestDatabase(databaseUrl)
    await db.kysely
      .insertInto('products')
      .values({
        sku: 'FC-EU-1',
        name: 'Euro product',
        description: '',
        price_cents: 1000,
        currency_code: 'EUR',
        quantity_in_stock: 5,
        updated_at: new Date().toISOString(),
      })
      .execute()
    const app = await buildApp(testConfig({ DATABASE_URL: databaseUrl }), { logger: createLogger('silent'), db })
    registerCleanup(() => app.close())

    const response = await app.inject(
      order([
        { productId: 1, quantity: 1 },
        { productId: 13, quantity: 1 },
      ]),
    )
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({
      code: 'VALIDATION',
      message: 'An order takes products of one currency; these are in USD, EUR.',
    })
    const stock = (await app.inject({ url: '/inventory', headers: authHeaders })).json()
    expect([stock[0].quantityInStock, stock[12].quantityInStock]).toEqual([40, 5])
    expect((await app.inject({ url: '/orders', headers: authHeaders })).json()).toEqual([])
  })

  it('answers 404 for an unknown product and 400 for invalid orders', async () => {
    const app = await buildTestApp(engine)
    const unknown = await app.inject(order([{ productId: 999, quantity: 1 }]))
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND', message: 'Product 999 does not exist.' })

    for (const payload of [
      { items: [] },
      { items: [{ productId: 1, quantity: 0 }] },
      { items: [{ productId: 1, quantity: 10_001 }] },
      { items: Array.from({ length: 101 }, () => ({ productId: 1, quantity: 1 })) },
      { items: [{ productId: 1, quantity: 1 }], customerEmail: 'not-an-email' },
      { items: [{ productId: 1 }] },
    ]) {
      const response = await app.inject({ method: 'POST', url: '/orders', headers: authHeaders, payload })
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400)
      expect(response.json().code).toBe('VALIDATION')
    }
    expect((await app.inject({ url: '/orders', headers: authHeaders })).json()).toEqual([])
  })

  it('lists orders newest first with pageSize and offset, and 404s an unknown order', async () => {
    const app = await buildTestApp(engine)
    const ids: number[] = []
    for (let index = 0; index < 3; index++)
      ids.push((await app.inject(order([{ productId: 1, quantity: 1 }]))).json().id)

    const all = (await app.inject({ url: '/orders', headers: authHeaders })).json()
    expect(all.map((o: { id: number }) => o.id)).toEqual([...ids].reverse())
    const page = (await app.inject({ url: '/orders?pageSize=1&offset=1', headers: authHeaders })).json()
    expect(page.map((o: { id: number }) => o.id)).toEqual([ids[1]])
    expect(page[0].items).toHaveLength(1)

    const missing = await app.inject({ url: '/orders/424242', headers: authHeaders })
    expect(missing.statusCode).toBe(404)
    expect(missing.json().code).toBe('NOT_FOUND')
    expect((await app.inject({ url: '/orders/abc', headers: authHeaders })).statusCode).toBe(400)
  })

  it('walks the orders with after exactly as with offset: newest first, each once', async () => {
    const app = await buildTestApp(engine)
    const placed = await Promise.all(
      Array.from({ length: 23 }, async () => (await app.inject(order([{ productId: 1, quantity: 1 }]))).json().id),
    )
    const newestFirst = placed.sort((a, b) => b - a)

    expect(await walkPages(app, '/orders', 'offset')).toEqual(newestFirst)
    expect(await walkPages(app, '/orders', 'after')).toEqual(newestFirst)
    // The pages' orders come whole, lines included.
    const [page] = (
      await app.inject({ url: `/orders?pageSize=2&after=${newestFirst[3]}`, headers: authHeaders })
    ).json()
    expect(page).toMatchObject({ id: newestFirst[4], items: [{ productId: 1, quantity: 1 }] })
  })

  it('with after, an order placed between two pages shows none twice, where offset does', async () => {
    const app = await buildTestApp(engine)
    for (let index = 0; index < 12; index++) await app.inject(order([{ productId: 1, quantity: 1 }]))
    const before = (await app.inject({ url: '/orders?pageSize=200', headers: authHeaders })).json()
    const placeOne = async () => {
      expect((await app.inject(order([{ productId: 1, quantity: 1 }]))).statusCode).toBe(201)
    }

    const byAfter = await walkPages(app, '/orders', 'after', { betweenPages: placeOne })
    expect(byAfter).toEqual(before.map((o: { id: number }) => o.id))
    // The same walk with offset: each new order pushes the list down by one, and an order comes again.
    const byOffset = await walkPages(app, '/orders', 'offset', { betweenPages: placeOne })
    expect(new Set(byOffset).size).toBeLessThan(byOffset.length)
  })

  it('takes an after that names no order as a place in the list, and keeps pageSize limits', async () => {
    const app = await buildTestApp(engine)
    const ids: number[] = []
    for (let index = 0; index < 3; index++)
      ids.push((await app.inject(order([{ productId: 1, quantity: 1 }]))).json().id)
    const listed = async (query: string) =>
      (await app.inject({ url: `/orders?${query}`, headers: authHeaders })).json().map((o: { id: number }) => o.id)
    const [oldest, middle, newest] = ids as [number, number, number]
    expect(await listed(`after=${newest + 1000}`)).toEqual([newest, middle, oldest])
    expect(await listed(`after=${newest}`)).toEqual([middle, oldest])
    expect(await listed(`after=${oldest}`)).toEqual([])
    expect(await listed(`after=${newest}&pageSize=1`)).toEqual([middle])
    // offset 0 is what a client filling in every default sends: it goes with after.
    expect(await listed(`after=${newest}&offset=0`)).toEqual([middle, oldest])
  })

  it('answers 400 VALIDATION, naming after, to an after it cannot take', async () => {
    const app = await buildTestApp(engine)
    await app.inject(order([{ productId: 1, quantity: 1 }]))
    for (const query of [
      'after=0',
      'after=-1',
      'after=abc',
      'after=1.5',
      'after=2147483648',
      'after=',
      'after=1&pageSize=201',
    ]) {
      const response = await app.inject({ url: `/orders?${query}`, headers: authHeaders })
      expect([query, response.statusCode, response.headers['content-type']]).toEqual([
        query,
        400,
        'application/json; charset=utf-8',
      ])
      expect(response.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION' })
      expect(response.json().message).toContain(query.includes('pageSize') ? 'pageSize' : 'after')
    }
    const both = await app.inject({ url: '/orders?after=5&offset=1', headers: authHeaders })
    expect(both.statusCode).toBe(400)
    expect(both.json()).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/after and querystring\/offset cannot be used together/),
    })
  })

  it('never oversells: 50 concurrent orders for a product with stock 10 → exactly 10 succeed', async () => {
    const app = await buildTestApp(engine)
    await app.inject({ method: 'PUT', url: '/inventory/4', headers: authHeaders, payload: { quantityInStock: 10 } })

    const responses = await Promise.all(
      Array.from({ length: 50 }, () => app.inject(order([{ productId: 4, quantity: 1 }]))),
    )

    const statuses = responses.map((response) => response.statusCode)
    expect(statuses.filter((status) => status === 201)).toHaveLength(10)
    expect(statuses.filter((status) => status === 409)).toHaveLength(40)
    const [stock] = (await app.inject({ url: '/inventory?productId=4', headers: authHeaders })).json()
    expect(stock.quantityInStock).toBe(0)
    expect((await app.inject({ url: '/orders?pageSize=200', headers: authHeaders })).json()).toHaveLength(10)
  })

  it('multi-item orders in opposite line orders run concurrently without deadlock or oversell', async () => {
    const app = await buildTestApp(engine)
    for (const productId of [5, 6]) {
      await app.inject({
        method: 'PUT',
        url: `/inventory/${productId}`,
        headers: authHeaders,
        payload: { quantityInStock: 15 },
      })
    }
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        app.inject(
          order(
            index % 2 === 0
              ? [
                  { productId: 5, quantity: 1 },
                  { productId: 6, quantity: 1 },
                ]
              : [
                  { productId: 6, quantity: 1 },
                  { productId: 5, quantity: 1 },
                ],
          ),
        ),
      ),
    )
    expect(responses.filter((response) => response.statusCode === 201)).toHaveLength(15)
    expect(responses.every((response) => [201, 409].includes(response.statusCode))).toBe(true)
    const stock = (await app.inject({ url: '/inventory', headers: authHeaders })).json()
    expect(stock[4].quantityInStock).toBe(0)
    expect(stock[5].quantityInStock).toBe(0)
  })
})

describe.each(engines)('orders on one %s database shared by two processes', (engine) => {
  it('never oversells when two processes’ worth of connections order at once', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const apps = [
      await buildTestApp(engine, { DATABASE_URL: databaseUrl }),
      await buildTestApp(engine, { DATABASE_URL: databaseUrl }),
    ]
    await apps[0]?.inject({
      method: 'PUT',
      url: '/inventory/4',
      headers: authHeaders,
      payload: { quantityInStock: 10 },
    })

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) => apps[index % 2]?.inject(order([{ productId: 4, quantity: 1 }]))),
    )

    expect(responses.filter((response) => response?.statusCode === 201)).toHaveLength(10)
    expect(responses.every((response) => [201, 409].includes(response?.statusCode ?? 0))).toBe(true)
    for (const app of apps) {
      const [stock] = (await app.inject({ url: '/inventory?productId=4', headers: authHeaders })).json()
      expect(stock.quantityInStock).toBe(0)
      expect((await app.inject({ url: '/products/4', headers: authHeaders })).json().quantityInStock).toBe(0)
    }
  })
})
