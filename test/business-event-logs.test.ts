// What happened, in the log at info: orders placed, stock set, events published, Salesforce refusing the sign-in, and
// publishing coming back. Request lines alone do not say what a request did.
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { FLOW_USER } from '../tools/applink-stand-in/users.js'
import { authHeaders } from './helper.js'
import { startAppLinkTestbed } from './support/applink-app.js'
import { linesMentioning } from './support/log-capture.js'
import { salesforceApp } from './support/salesforce-app.js'

const INFO = 30
const EMAIL = 'ada.lovelace@example.com'

const publishDue = (app: FastifyInstance) => app.salesforce?.publisher.publishDue()
/** Publishes until nothing is pending, waiting out the (test-short) retry delays. */
async function publishAll(app: FastifyInstance) {
  for (let round = 0; round < 80; round++) {
    await publishDue(app)
    if ((await app.inject({ url: '/healthz' })).json().salesforce.pendingEvents === 0) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}
const order = (app: FastifyInstance, requestId: string, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/orders',
    headers: { ...authHeaders, 'x-request-id': requestId, ...headers },
    payload: {
      items: [
        { productId: 1, quantity: 2 },
        { productId: 3, quantity: 1 },
      ],
      customerEmail: EMAIL,
    },
  })
/** The messages of the lines written at `level`. */
const messagesAt = (logs: string[], level: number) =>
  linesMentioning(logs, '"msg"')
    .filter((line) => line.level === level)
    .map((line) => line.msg)

describe('business events in the log', () => {
  it('an order placed: its id, item count and total, under the request id, without the email', async () => {
    const { app, logs } = await salesforceApp('sqlite')
    const response = await order(app, 'order-request-1')
    expect(response.statusCode).toBe(201)
    const placed = response.json()

    const [line] = linesMentioning(logs, `order ${placed.id} placed`)
    expect(line).toMatchObject({
      level: INFO,
      reqId: 'order-request-1',
      msg: `order ${placed.id} placed: 2 items, ${placed.totalPrice} ${placed.currencyCode}`,
      orderId: placed.id,
      items: 2,
      total: placed.totalPrice,
      currency: placed.currencyCode,
    })
    // The customer's email is personal data: in no line, at any level.
    expect(logs.join('')).not.toContain(EMAIL)
  })

  it('a retried order with the same Idempotency-Key is logged as answered again, not placed twice', async () => {
    const { app, logs } = await salesforceApp('sqlite')
    const key = { 'idempotency-key': 'retry-me-0001' }
    const first = await order(app, 'order-request-2', key)
    const again = await order(app, 'order-request-3', key)
    expect(again.headers['idempotent-replayed']).toBe('true')
    const id = first.json().id
    expect(linesMentioning(logs, `order ${id} placed`).map((line) => line.reqId)).toEqual(['order-request-2'])
    expect(linesMentioning(logs, `order ${id} answered again`)).toEqual([
      expect.objectContaining({ level: INFO, reqId: 'order-request-3' }),
    ])
  })

  it('stock set by setInventory, under the request id', async () => {
    const { app, logs } = await salesforceApp('sqlite')
    const response = await app.inject({
      method: 'PUT',
      url: '/inventory/3',
      headers: { ...authHeaders, 'x-request-id': 'stocktake-1' },
      payload: { quantityInStock: 25 },
    })
    expect(response.statusCode).toBe(200)
    expect(linesMentioning(logs, 'stock of product 3 set to 25')).toEqual([
      expect.objectContaining({ level: INFO, reqId: 'stocktake-1', productId: 3, quantity: 25 }),
    ])
  })

  it('each successful publish call says how many stock events it published', async () => {
    const { app, logs } = await salesforceApp('sqlite')
    await order(app, 'order-request-4')
    await publishDue(app)
    // The order took stock of two products: one event each, in one call.
    expect(messagesAt(logs, INFO)).toContain('2 stock events published')
    await app.inject({ method: 'PUT', url: '/inventory/5', headers: authHeaders, payload: { quantityInStock: 7 } })
    await publishDue(app)
    expect(messagesAt(logs, INFO)).toContain('1 stock event published')
  })

  it("a refused sign-in names Salesforce's error code, never the assertion or the key; then publishing resumes", async () => {
    const { app, emulator, logs, privateKey } = await salesforceApp('sqlite')
    emulator.failNextTokenRequests(1, { error: 'invalid_grant', error_description: 'invalid assertion' })
    await order(app, 'order-request-5')
    await publishDue(app)
    expect(emulator.events()).toEqual([])
    expect(linesMentioning(logs, 'Salesforce refused: invalid_grant')).toEqual([
      expect.objectContaining({ level: INFO, code: 'invalid_grant' }),
    ])

    await publishAll(app)
    expect(emulator.events()).toHaveLength(2)
    const info = messagesAt(logs, INFO)
    expect(info).toContain('2 stock events published')
    expect(info).toContain('stock events publishing again after SALESFORCE_AUTH')
    expect(info.indexOf('stock events publishing again after SALESFORCE_AUTH')).toBeGreaterThan(
      info.indexOf('Salesforce refused: invalid_grant'),
    )

    const written = logs.join('')
    // A signed assertion and an access token are JWT-like (base64url of '{"'), the key a PEM.
    expect(written).not.toMatch(/eyJ[\w-]{10,}/)
    expect(written).not.toContain('PRIVATE KEY')
    expect(written).not.toContain(privateKey.split('\n')[1])
  })

  it('publishing resumes after an outage: said once, at info, with the code it recovered from', async () => {
    const { app, emulator, logs } = await salesforceApp('sqlite')
    await publishDue(app)
    emulator.setDown(true)
    await order(app, 'order-request-6')
    await publishDue(app)
    emulator.setDown(false)
    await publishAll(app)
    await order(app, 'order-request-7')
    await publishAll(app)
    const resumed = linesMentioning(logs, 'publishing again')
    expect(resumed).toEqual([
      expect.objectContaining({ level: INFO, msg: 'stock events publishing again after SALESFORCE_UNAVAILABLE' }),
    ])
  })

  it('through AppLink, an order placed names the org it came from (not the user)', async () => {
    const { call, logs, emulator } = await startAppLinkTestbed('sqlite')
    const response = await call('/orders', {
      method: 'POST',
      body: JSON.stringify({ items: [{ productId: 2, quantity: 1 }] }),
    })
    expect(response.status).toBe(201)
    const placed = (await response.json()) as { id: number; totalPrice: number; currencyCode: string }
    const user = emulator.openSession(FLOW_USER)
    expect(linesMentioning(logs, `order ${placed.id} placed`)).toEqual([
      expect.objectContaining({
        level: INFO,
        msg: `order ${placed.id} placed: 1 item, ${placed.totalPrice} ${placed.currencyCode}, org ${user.orgId}`,
        orgId: user.orgId,
      }),
    ])
    expect(linesMentioning(logs, `order ${placed.id} placed`)[0]).not.toHaveProperty('userId')
  })
})
