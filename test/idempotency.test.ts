import { describe, expect, it } from 'vitest'
import { authHeaders, buildTestApp, engines, sharedDatabaseUrlFor } from './helper.js'

const postOrder = (key: string, items: Array<{ productId: number; quantity: number }>) => ({
  method: 'POST' as const,
  url: '/orders',
  headers: { ...authHeaders, 'idempotency-key': key },
  payload: { items },
})
const orderCount = async (app: Awaited<ReturnType<typeof buildTestApp>>) =>
  (await app.inject({ url: '/orders?pageSize=200', headers: authHeaders })).json().length
const stockOf = async (app: Awaited<ReturnType<typeof buildTestApp>>, productId: number) =>
  (await app.inject({ url: `/inventory?productId=${productId}`, headers: authHeaders })).json()[0].quantityInStock

describe.each(engines)('Idempotency-Key on %s', (engine) => {
  it('a retry with the same key and body returns the first answer and changes nothing', async () => {
    const app = await buildTestApp(engine)
    const stock = await stockOf(app, 1)
    const first = await app.inject(postOrder('retry-1', [{ productId: 1, quantity: 2 }]))
    const retry = await app.inject(postOrder('retry-1', [{ productId: 1, quantity: 2 }]))

    expect(first.statusCode).toBe(201)
    expect(retry.statusCode).toBe(201)
    expect(retry.json()).toEqual(first.json())
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    expect(await orderCount(app)).toBe(1)
    expect(await stockOf(app, 1)).toBe(stock - 2)
  })

  it('the same key with a different body is refused with 422 and changes nothing', async () => {
    const app = await buildTestApp(engine)
    await app.inject(postOrder('reused', [{ productId: 1, quantity: 1 }]))
    const stock = await stockOf(app, 2)
    const conflict = await app.inject(postOrder('reused', [{ productId: 2, quantity: 1 }]))

    expect(conflict.statusCode).toBe(422)
    expect(conflict.json()).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_CONFLICT' })
    expect(await orderCount(app)).toBe(1)
    expect(await stockOf(app, 2)).toBe(stock)
  })

  it('a refused order does not use up its key: the retry after restocking is placed', async () => {
    const app = await buildTestApp(engine)
    await app.inject({ method: 'PUT', url: '/inventory/1', headers: authHeaders, payload: { quantityInStock: 0 } })
    expect((await app.inject(postOrder('after-restock', [{ productId: 1, quantity: 1 }]))).statusCode).toBe(409)
    await app.inject({ method: 'PUT', url: '/inventory/1', headers: authHeaders, payload: { quantityInStock: 5 } })
    expect((await app.inject(postOrder('after-restock', [{ productId: 1, quantity: 1 }]))).statusCode).toBe(201)
  })

  it('concurrent retries with one key create exactly one order', async () => {
    const app = await buildTestApp(engine)
    const stock = await stockOf(app, 1)
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => app.inject(postOrder('burst', [{ productId: 1, quantity: 3 }]))),
    )

    expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(201))
    expect(new Set(responses.map((response) => response.json().id)).size).toBe(1)
    expect(await orderCount(app)).toBe(1)
    expect(await stockOf(app, 1)).toBe(stock - 3)
  })

  it('concurrent retries with one key on two processes sharing the database create exactly one order', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const first = await buildTestApp(engine, { DATABASE_URL: databaseUrl })
    const second = await buildTestApp(engine, { DATABASE_URL: databaseUrl })
    const stock = await stockOf(first, 1)
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 === 0 ? first : second).inject(postOrder('burst-across', [{ productId: 1, quantity: 3 }])),
      ),
    )

    expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(201))
    expect(new Set(responses.map((response) => response.json().id)).size).toBe(1)
    for (const app of [first, second]) {
      expect(await orderCount(app)).toBe(1)
      expect(await stockOf(app, 1)).toBe(stock - 3)
    }
  })
})
