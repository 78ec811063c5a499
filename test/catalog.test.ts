import { describe, expect, it } from 'vitest'
import { authHeaders, buildTestApp, engines } from './helper.js'
import { walkPages } from './support/page-walk.js'

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

  it('walks the catalog with after exactly as with offset, archived products in or out', async () => {
    const app = await buildTestApp(engine)
    const archive = (id: number) =>
      app.inject({ method: 'PATCH', url: `/products/${id}`, headers: authHeaders, payload: { active: false } })
    for (const id of [4, 5, 11]) expect((await archive(id)).statusCode).toBe(200)
    const sold = [1, 2, 3, 6, 7, 8, 9, 10, 12]
    const all = Array.from({ length: 12 }, (_, index) => index + 1)

    expect(await walkPages(app, '/products', 'offset', { pageSize: 2 })).toEqual(sold)
    expect(await walkPages(app, '/products', 'after', { pageSize: 2 })).toEqual(sold)
    expect(await walkPages(app, '/products', 'after', { pageSize: 5, query: 'includeInactive=true' })).toEqual(all)
    // An archived product's id still marks its place, and so does an id past the end.
    const ids = async (query: string) =>
      (await app.inject({ url: `/products?${query}`, headers: authHeaders })).json().map((p: { id: number }) => p.id)
    expect(await ids('after=4&pageSize=2')).toEqual([6, 7])
    expect(await ids('after=12')).toEqual([])
    expect(await ids('after=99')).toEqual([])
    for (const query of ['after=0', 'after=x', 'after=2&offset=2', 'after=2&pageSize=0']) {
      const refused = await app.inject({ url: `/products?${query}`, headers: authHeaders })
      expect([query, refused.statusCode, refused.json().code]).toEqual([query, 400, 'VALIDATION'])
    }
  })

  it('with after, a product archived between two pages makes none go missing, where offset does', async () => {
    // Pages of 3; before each page but the first, the first product of the page before is archived.
    const walkArchivingListed = async (paging: 'offset' | 'after') => {
      const app = await buildTestApp(engine)
      let pagesRead = 0
      const betweenPages = async () => {
        const id = pagesRead * 3 + 1
        pagesRead += 1
        const archived = await app.inject({
          method: 'PATCH',
          url: `/products/${id}`,
          headers: authHeaders,
          payload: { active: false },
        })
        expect(archived.statusCode).toBe(200)
      }
      return walkPages(app, '/products', paging, { pageSize: 3, betweenPages })
    }
    expect(await walkArchivingListed('after')).toEqual(Array.from({ length: 12 }, (_, index) => index + 1))
    // With offset each archived product pulls the rest forward by one, past the next page's start.
    expect(await walkArchivingListed('offset')).not.toContain(4)
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
