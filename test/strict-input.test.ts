// Numbers are taken only as real numbers: no type coercion in JSON bodies, plain decimal digits in paths and queries.
import { describe, expect, it } from 'vitest'
import { authHeaders, buildTestApp, engines } from './helper.js'

const json = { ...authHeaders, 'content-type': 'application/json' }

/** Raw JSON texts for an integer field: none is an integer, and none may be read as one. */
const notIntegers = [
  '"Infinity"',
  '"-Infinity"',
  '"1e309"',
  '1e309',
  '-1e309',
  `"${'9'.repeat(400)}"`,
  `${'9'.repeat(400)}`,
  '"7"',
  'true',
  'false',
  'null',
  '[7]',
  '{"value":7}',
  '7.5',
  '"NaN"',
]

/** Path and query texts that are not plain decimal digits (URL-encoded where needed). */
const notDecimal = [
  '0x10',
  '0o7',
  '0b11',
  '5.',
  '1e1',
  '%2012%20',
  '+5',
  'Infinity',
  '-Infinity',
  'NaN',
  '1_000',
  '%D9%A1',
]

describe.each(engines)('strict numbers on %s', (engine) => {
  it('refuses every non-integer in a JSON body with 400 VALIDATION and changes nothing', async () => {
    const app = await buildTestApp(engine)
    const catalogBefore = (await app.inject({ url: '/products', headers: authHeaders })).json()

    for (const value of notIntegers) {
      const stock = await app.inject({
        method: 'PUT',
        url: '/inventory/9',
        headers: json,
        payload: `{"quantityInStock":${value}}`,
      })
      expect([value, stock.statusCode, stock.json().code]).toEqual([value, 400, 'VALIDATION'])
      expect(stock.json().message).toContain('quantityInStock')

      for (const field of ['quantity', 'productId']) {
        const line =
          field === 'quantity' ? `{"productId":1,"quantity":${value}}` : `{"productId":${value},"quantity":1}`
        const order = await app.inject({
          method: 'POST',
          url: '/orders',
          headers: json,
          payload: `{"items":[${line}]}`,
        })
        expect([value, order.statusCode, order.json().code]).toEqual([value, 400, 'VALIDATION'])
        expect(order.json().message).toContain(field)
      }
    }

    // Every read still works, and nothing was stored.
    expect((await app.inject({ url: '/products', headers: authHeaders })).json()).toEqual(catalogBefore)
    expect((await app.inject({ url: '/products/9', headers: authHeaders })).statusCode).toBe(200)
    expect((await app.inject({ url: '/inventory', headers: authHeaders })).statusCode).toBe(200)
    expect((await app.inject({ url: '/orders', headers: authHeaders })).json()).toEqual([])
  })

  it('reads a path or query integer only from plain decimal digits, naming the parameter otherwise', async () => {
    const app = await buildTestApp(engine)
    for (const text of notDecimal) {
      for (const [url, parameter] of [
        [`/products/${text}`, 'productId'],
        [`/orders/${text}`, 'orderId'],
        [`/products?pageSize=${text}`, 'pageSize'],
        [`/orders?offset=${text}`, 'offset'],
        [`/orders?after=${text}`, 'after'],
        [`/products?after=${text}`, 'after'],
        [`/inventory?productId=${text}`, 'productId'],
      ] as const) {
        const response = await app.inject({ url, headers: authHeaders })
        expect([url, response.statusCode, response.json().code]).toEqual([url, 400, 'VALIDATION'])
        expect(response.json().message).toContain(parameter)
      }
      const setStock = await app.inject({
        method: 'PUT',
        url: `/inventory/${text}`,
        headers: json,
        payload: '{"quantityInStock":1}',
      })
      expect([text, setStock.statusCode]).toEqual([text, 400])
    }
    for (const url of [
      '/products?offset=-0',
      '/products/99999999999999999999',
      `/products?pageSize=${'1'.repeat(400)}`,
    ]) {
      expect([url, (await app.inject({ url, headers: authHeaders })).statusCode]).toEqual([url, 400])
    }
    expect((await app.inject({ url: '/inventory', headers: authHeaders })).json()[8].quantityInStock).toBe(50)
  })

  it('still takes what Flow sends: JSON numbers, and digits in paths and queries', async () => {
    const app = await buildTestApp(engine)
    expect((await app.inject({ url: '/products/007', headers: authHeaders })).json().id).toBe(7)
    expect((await app.inject({ url: '/products?pageSize=2&offset=1', headers: authHeaders })).json()).toHaveLength(2)
    const stock = await app.inject({
      method: 'PUT',
      url: '/inventory/9',
      headers: json,
      payload: '{"quantityInStock":12}',
    })
    expect(stock.json().quantityInStock).toBe(12)
    const order = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: json,
      payload: '{"items":[{"productId":9,"quantity":2.0}]}',
    })
    expect(order.statusCode).toBe(201)
    expect((await app.inject({ url: '/products/9', headers: authHeaders })).json().quantityInStock).toBe(10)
  })
})
