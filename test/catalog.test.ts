import { describe, expect, it } from 'vitest'
import { authHeaders, buildTestApp, engines } from './helper.js'

describe.each(engines)('products and inventory on %s', (engine) => {
  it('lists the seeded demo catalog in pages', async () => {
    const app = await buildTestApp(engine)
    const all = (await app.inject({ url: '/products', headers: authHeaders })).json()
    expect(all).toHaveLength(12)
    expect(all[0]).toEqual({
      id: 1,
      sku: 'FC-TENT-2P',
      name: 'Trail Tent 2P',
      description: expect.any(String),
      price: 249,
      currencyCode: 'USD',
      active: true,
      quantityInStock: 40,
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    expect(new Set(all.map((product: { sku: string }) => product.sku)).size).toBe(12)
    const page = (await app.inject({ url: '/products?pageSize=5&offset=10', headers: authHeaders })).json()
    expect(page.map((product: { id: number }) => product.id)).toEqual([11, 12])
    expect((await app.inject({ url: '/products?pageSize=200&offset=50', headers: authHeaders })).json()).toEqual([])
  })

  it('gets one product and 404s an unknown one', async () => {
    const app = await buildTestApp(engine)
    expect((await app.inject({ url: '/products/2', headers: authHeaders })).json()).toMatchObject({
      id: 2,
      sku: 'FC-BAG-0C',
    })
    const missing = await app.inject({ url: '/products/77', headers: authHeaders })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ code: 'NOT_FOUND', message: 'Product 77 does not exist.' })
  })

  it('reads and sets inventory', async () => {
    const app = await buildTestApp(engine)
    const all = (await app.inject({ url: '/inventory', headers: authHeaders })).json()
    expect(all).toHaveLength(12)
    expect(all[0]).toEqual({
      productId: 1,
      sku: 'FC-TENT-2P',
      quantityInStock: 40,
      updatedAt: expect.any(String),
      salesforceSync: { status: 'disabled', message: 'Salesforce is not configured on this flowcart service.' },
    })

    const set = await app.inject({
      method: 'PUT',
      url: '/inventory/1',
      headers: authHeaders,
      payload: { quantityInStock: 7 },
    })
    expect(set.statusCode).toBe(200)
    expect(set.json()).toMatchObject({ productId: 1, sku: 'FC-TENT-2P', quantityInStock: 7 })
    expect((await app.inject({ url: '/inventory?productId=1', headers: authHeaders })).json()).toMatchObject([
      set.json(),
    ])
    expect((await app.inject({ url: '/products/1', headers: authHeaders })).json().quantityInStock).toBe(7)
  })

  it('refuses bad inventory input and unknown products', async () => {
    const app = await buildTestApp(engine)
    const put = (url: string, payload: unknown) =>
      app.inject({ method: 'PUT', url, headers: authHeaders, payload: payload as object })
    for (const payload of [{ quantityInStock: -1 }, { quantityInStock: 1.5 }, { quantityInStock: 'many' }, {}]) {
      const response = await put('/inventory/1', payload)
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
      expect(response.json().code).toBe('VALIDATION')
    }
    expect((await put('/inventory/99', { quantityInStock: 1 })).json()).toMatchObject({
      statusCode: 404,
      code: 'NOT_FOUND',
    })
    expect((await app.inject({ url: '/inventory?productId=99', headers: authHeaders })).statusCode).toBe(404)
    expect((await app.inject({ url: '/inventory?productId=x', headers: authHeaders })).statusCode).toBe(400)
    expect((await app.inject({ url: '/inventory?productId=1', headers: authHeaders })).json()[0].quantityInStock).toBe(
      40,
    )
  })

  it('does not seed when SEED_DEMO_DATA=false', async () => {
    const app = await buildTestApp(engine, { SEED_DEMO_DATA: 'false' })
    expect((await app.inject({ url: '/products', headers: authHeaders })).json()).toEqual([])
  })
})
