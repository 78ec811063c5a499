// The same behaviour in both modes, over real HTTP-like paths: basic mode (basic auth, JWT bearer to Salesforce)
// and AppLink mode (through the mesh stand-in, as the invoking user, events through an AppLink authorization).
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import type { SalesforceEmulator } from '../tools/salesforce-emulator/index.js'
import { authHeaders, engines } from './helper.js'
import { startAppLinkTestbed } from './support/applink-app.js'
import { salesforceApp } from './support/salesforce-app.js'

interface Answer {
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  body: any
  headers: Record<string, string | string[] | undefined>
}

interface Service {
  app: FastifyInstance
  emulator: SalesforceEmulator
  send(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>
}

async function startService(mode: 'basic' | 'applink', engine: (typeof engines)[number]): Promise<Service> {
  if (mode === 'basic') {
    const { app, emulator } = await salesforceApp(engine)
    return {
      app,
      emulator,
      async send(method, url, body, headers = {}) {
        const response = await app.inject({
          method: method as 'GET',
          url,
          headers: { ...authHeaders, ...headers },
          ...(body === undefined ? {} : { payload: body as object }),
        })
        return { status: response.statusCode, body: response.json(), headers: response.headers as Answer['headers'] }
      },
    }
  }
  const { app, emulator, call } = await startAppLinkTestbed(engine)
  return {
    app,
    emulator,
    async send(method, url, body, headers = {}) {
      const response = await call(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return { status: response.status, body: await response.json(), headers: Object.fromEntries(response.headers) }
    },
  }
}

const modes = ['basic', 'applink'] as const
const cases = modes.flatMap((mode) => engines.map((engine) => [mode, engine] as const))

describe.each(cases)('%s mode on %s', (mode, engine) => {
  const stockOf = async (service: Service, productId: number) =>
    (await service.send('GET', `/products/${productId}`)).body.quantityInStock as number

  it('places an order all or nothing, and reads it back', async () => {
    const service = await startService(mode, engine)
    await service.send('PUT', '/inventory/2', { quantityInStock: 1 })
    const before = await stockOf(service, 1)
    const refused = await service.send('POST', '/orders', {
      items: [
        { productId: 1, quantity: 1 },
        { productId: 2, quantity: 2 },
      ],
    })
    expect(refused.status).toBe(409)
    expect(refused.body.code).toBe('OUT_OF_STOCK')
    expect([await stockOf(service, 1), await stockOf(service, 2)]).toEqual([before, 1])

    const placed = await service.send('POST', '/orders', { items: [{ productId: 1, quantity: 2 }] })
    expect(placed.status).toBe(201)
    expect(await stockOf(service, 1)).toBe(before - 2)
    expect((await service.send('GET', `/orders/${placed.body.id}`)).body).toEqual(placed.body)
  })

  it('never oversells under concurrent orders', async () => {
    const service = await startService(mode, engine)
    await service.send('PUT', '/inventory/4', { quantityInStock: 10 })
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => service.send('POST', '/orders', { items: [{ productId: 4, quantity: 1 }] })),
    )
    const statuses = answers.map((answer) => answer.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(10)
    expect(statuses.filter((status) => status === 409)).toHaveLength(20)
    expect(await stockOf(service, 4)).toBe(0)
  })

  it('answers a retry with the same idempotency key with the first order, and takes the stock once', async () => {
    const service = await startService(mode, engine)
    const before = await stockOf(service, 3)
    const body = { items: [{ productId: 3, quantity: 1 }] }
    const first = await service.send('POST', '/orders', body, { 'idempotency-key': 'retry-1' })
    const retry = await service.send('POST', '/orders', body, { 'idempotency-key': 'retry-1' })
    expect([first.status, retry.status]).toEqual([201, 201])
    expect(retry.body).toEqual(first.body)
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(await stockOf(service, 3)).toBe(before - 1)
  })

  it('refuses bad input with a 4xx ErrorResponse and changes nothing', async () => {
    const service = await startService(mode, engine)
    const before = await stockOf(service, 1)
    for (const body of [
      { items: [] },
      { items: [{ productId: 1, quantity: 1.5 }] },
      { items: [{ productId: '1', quantity: 1 }] },
      { items: 'x' },
    ]) {
      const answer = await service.send('POST', '/orders', body)
      expect(answer.status).toBe(400)
      expect(answer.body).toMatchObject({ statusCode: 400, code: 'VALIDATION' })
    }
    expect(await stockOf(service, 1)).toBe(before)
  })

  it('writes the stock into Product2 and publishes the latest quantity of each product changed', async () => {
    const service = await startService(mode, engine)
    const [item] = (await service.send('GET', '/inventory?productId=5')).body
    expect(item.salesforceSync.status).toBe('updated')
    const record = service.emulator.records().find((product) => product.Id === item.salesforceSync.recordId)
    expect(record?.Qty_In_Stock__c).toBe(item.quantityInStock)

    await service.send('POST', '/orders', { items: [{ productId: 5, quantity: 1 }] })
    await service.send('POST', '/orders', { items: [{ productId: 5, quantity: 2 }] })
    await service.app.salesforce?.publisher.publishDue()
    const published = service.emulator.events().map((event) => event.fields.Qty_In_Stock__c)
    expect(published.at(-1)).toBe(item.quantityInStock - 3)
    expect((await service.app.inject({ url: '/healthz' })).json().salesforce.pendingEvents).toBe(0)
  })
})
