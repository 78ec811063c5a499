// createProduct and updateProduct: a catalog filled and kept through the API, archived products kept with their
// orders, and a deployed flowcart (no demo catalog) that can take its first order without SQL.
import { describe, expect, it } from 'vitest'
import { authHeaders, buildTestApp, engines, sharedDatabaseUrlFor } from './helper.js'
import { selectRows } from './support/database-rows.js'

const mug = { sku: 'FC-MUG-350', name: 'Enamel Mug 350 ml', price: 14.5, currencyCode: 'USD' }

describe.each(engines)('catalog writes on %s', (engine) => {
  it('creates a product with no stock, lists it, and refuses a second product with its SKU', async () => {
    const app = await buildTestApp(engine)
    const created = await app.inject({ method: 'POST', url: '/products', headers: authHeaders, payload: mug })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toEqual({
      id: 13,
      ...mug,
      description: '',
      active: true,
      quantityInStock: 0,
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    })
    expect((await app.inject({ url: '/products/13', headers: authHeaders })).json()).toEqual(created.json())
    const listed = (await app.inject({ url: '/products?pageSize=200', headers: authHeaders })).json()
    expect(listed.map((product: { sku: string }) => product.sku)).toContain('FC-MUG-350')

    const again = await app.inject({
      method: 'POST',
      url: '/products',
      headers: authHeaders,
      payload: { ...mug, name: 'Another mug', price: 9 },
    })
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ code: 'SKU_TAKEN', message: expect.stringContaining('FC-MUG-350') })
    expect((await app.inject({ url: '/products/13', headers: authHeaders })).json().name).toBe('Enamel Mug 350 ml')
    expect((await app.inject({ url: '/products/14', headers: authHeaders })).statusCode).toBe(404)
  })

  it('refuses a product it could not keep exactly, with 400 naming the field', async () => {
    const app = await buildTestApp(engine)
    const refused = [
      { ...mug, price: 14.505 },
      { ...mug, sku: ' FC-MUG' },
      { ...mug, currencyCode: 'usd' },
      { ...mug, name: '' },
      { ...mug, quantityInStock: 5 },
      { name: 'No SKU', price: 1, currencyCode: 'USD' },
    ]
    for (const payload of refused) {
      const response = await app.inject({ method: 'POST', url: '/products', headers: authHeaders, payload })
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
      expect(response.json().code).toBe('VALIDATION')
    }
    expect((await app.inject({ url: '/products?pageSize=200', headers: authHeaders })).json()).toHaveLength(12)
  })

  it('changes only the fields given, keeps updatedAt when nothing changes, and never changes the SKU', async () => {
    const app = await buildTestApp(engine)
    const patch = (payload: object, id = 2) =>
      app.inject({ method: 'PATCH', url: `/products/${id}`, headers: authHeaders, payload })
    const before = (await app.inject({ url: '/products/2', headers: authHeaders })).json()
    const changed = await patch({ name: 'Summit Bag', price: 179.99 })
    expect(changed.statusCode).toBe(200)
    expect(changed.json()).toEqual({ ...before, name: 'Summit Bag', price: 179.99, updatedAt: expect.any(String) })
    const same = await patch({ name: 'Summit Bag' })
    expect(same.json().updatedAt).toBe(changed.json().updatedAt)

    expect((await patch({ sku: 'OTHER' })).statusCode).toBe(400)
    expect((await patch({})).statusCode).toBe(400)
    expect((await patch({ price: 1.001 })).json()).toMatchObject({ statusCode: 400, code: 'VALIDATION' })
    const missing = await patch({ name: 'x' }, 77)
    expect(missing.statusCode).toBe(404)
    expect(missing.json().code).toBe('NOT_FOUND')
  })

  it('archives a product: kept with its orders, listed only when asked, and refused to new orders', async () => {
    const app = await buildTestApp(engine)
    const order = (productId: number) =>
      app.inject({
        method: 'POST',
        url: '/orders',
        headers: authHeaders,
        payload: { items: [{ productId, quantity: 1 }] },
      })
    const placed = await order(3)
    expect(placed.statusCode).toBe(201)
    // A page read before the change, so a page kept from before would show.
    expect((await app.inject({ url: '/products?pageSize=200', headers: authHeaders })).json()).toHaveLength(12)

    const archived = await app.inject({
      method: 'PATCH',
      url: '/products/3',
      headers: authHeaders,
      payload: { active: false, price: 99 },
    })
    expect(archived.json()).toMatchObject({ id: 3, active: false, price: 99, quantityInStock: 59 })
    const listed = (await app.inject({ url: '/products?pageSize=200', headers: authHeaders })).json()
    expect(listed.map((product: { id: number }) => product.id)).not.toContain(3)
    const all = (await app.inject({ url: '/products?pageSize=200&includeInactive=true', headers: authHeaders })).json()
    expect(all.find((product: { id: number }) => product.id === 3)).toMatchObject({ active: false })
    expect((await app.inject({ url: '/products?includeInactive=yes', headers: authHeaders })).statusCode).toBe(400)

    const refused = await order(3)
    expect(refused.statusCode).toBe(409)
    expect(refused.json()).toMatchObject({
      code: 'PRODUCT_INACTIVE',
      message: 'Product 3 (FC-PAD-R4) is no longer sold.',
    })
    expect((await app.inject({ url: '/products/3', headers: authHeaders })).json().quantityInStock).toBe(59)
    // The order placed before keeps its product and the price it was placed at.
    const kept = (await app.inject({ url: `/orders/${placed.json().id}`, headers: authHeaders })).json()
    expect(kept.items).toMatchObject([{ productId: 3, sku: 'FC-PAD-R4', unitPrice: 129 }])

    await app.inject({ method: 'PATCH', url: '/products/3', headers: authHeaders, payload: { active: true } })
    expect((await order(3)).statusCode).toBe(201)
  })

  it('fills a deployed flowcart from nothing: no demo catalog on a platform, then create, stock, order', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const app = await buildTestApp(engine, { DATABASE_URL: databaseUrl, NODE_ENV: 'production', DYNO: 'web.1' })
    const https = { ...authHeaders, 'x-forwarded-proto': 'https' }
    expect((await app.inject({ url: '/products', headers: https })).json()).toEqual([])
    const created = await app.inject({ method: 'POST', url: '/products', headers: https, payload: mug })
    const { id } = created.json()
    const stocked = await app.inject({
      method: 'PUT',
      url: `/inventory/${id}`,
      headers: https,
      payload: { quantityInStock: 5 },
    })
    expect(stocked.statusCode).toBe(200)
    const placed = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: https,
      payload: { items: [{ productId: id, quantity: 2 }] },
    })
    expect(placed.statusCode).toBe(201)
    expect(placed.json()).toMatchObject({ totalPrice: 29, items: [{ sku: 'FC-MUG-350' }] })
    expect(await selectRows(databaseUrl, 'select sku, quantity_in_stock from products')).toEqual([
      { sku: 'FC-MUG-350', quantity_in_stock: 3 },
    ])
  })
})
