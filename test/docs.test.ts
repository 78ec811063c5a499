// /docs is usable as it comes: the service's own title, the operation ids Flow shows, and "Try it out" examples
// that are valid requests.
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { authHeaders, buildTestApp } from './helper.js'

describe('/docs', () => {
  it('has the service title and shows operation ids', async () => {
    const app = await buildTestApp()
    const page = await app.inject({ url: '/docs' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<title>flowcart API</title>')
    const initializer = await app.inject({ url: '/docs/static/swagger-initializer.js' })
    expect(initializer.body).toMatch(/"displayOperationId":\s*true/)
  })

  it('offers examples that match their schemas, and the postOrder example places an order', async () => {
    const app = await buildTestApp()
    const contract = (await app.inject({ url: '/openapi.json' })).json()
    const ajv = new Ajv({ strict: false })
    addFormats.default(ajv)
    for (const [name, schema] of Object.entries(contract.components.schemas))
      ajv.addSchema(schema as object, `#/components/schemas/${name}`)
    const examples = Object.entries(contract.components.schemas).filter(([, schema]) => 'example' in (schema as object))
    expect(examples.map(([name]) => name)).toEqual(expect.arrayContaining(['OrderInput', 'Order', 'StockInput']))
    for (const [name, schema] of examples) {
      const valid = ajv.validate({ $ref: `#/components/schemas/${name}` }, (schema as { example: unknown }).example)
      expect([name, valid, ajv.errors]).toEqual([name, true, null])
    }

    const placed = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: authHeaders,
      payload: contract.components.schemas.OrderInput.example,
    })
    expect(placed.statusCode).toBe(201)
    expect(placed.json()).toMatchObject({ currencyCode: 'USD', items: [{ productId: 1, quantity: 1 }] })
  })
})
