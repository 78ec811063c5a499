// AppLink mode end to end: flowcart on loopback behind the mesh stand-in, the add-on API stand-in and the Salesforce
// emulator. Orders record who placed them, getInventory writes Product2 as the invoking user, and the event publisher
// publishes through its AppLink authorization with the outbox's promises intact.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { DEFAULT_INVENTORY_EVENT } from '../src/salesforce/names.js'
import { clientContextHeader, INVOKING_USER_HEADER, startMeshStandIn } from '../tools/applink-stand-in/mesh.js'
import { EVENT_USER, FLOW_USER } from '../tools/applink-stand-in/users.js'
import { startSalesforceEmulator } from '../tools/salesforce-emulator/index.js'
import { basicAuth, buildTestApp, engines, registerCleanup } from './helper.js'
import { startAppLinkTestbed } from './support/applink-app.js'
import { linesMentioning } from './support/log-capture.js'
import { startServer } from './support/server-process.js'

const order = (productId: number, quantity = 1) => JSON.stringify({ items: [{ productId, quantity }] })
// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field below
const json = async (response: Response): Promise<any> => response.json()

describe.each(engines)('AppLink mode (%s)', (engine) => {
  it('places an order as the invoking user and lists it by org', async () => {
    const { call, emulator } = await startAppLinkTestbed(engine)
    const placed = await call('/orders', { method: 'POST', body: order(1, 2) })
    expect(placed.status).toBe(201)
    const body = await json(placed)
    const user = emulator.openSession(FLOW_USER)
    expect(body.placedBy).toEqual({ orgId: user.orgId, userId: user.userId })
    expect((await json(await call(`/orders/${body.id}`))).placedBy).toEqual(body.placedBy)

    const mine = await json(await call(`/orders?orgId=${user.orgId}`))
    expect(mine.map((o: { id: number }) => o.id)).toEqual([body.id])
    const otherOrg = await json(await call('/orders?orgId=00D000000000001AAA'))
    expect(otherOrg).toEqual([])
  })

  it('writes Product2 as the user who ran the Flow, and publishes as the authorization user', async () => {
    const { call, emulator, app, addon } = await startAppLinkTestbed(engine)
    const synced = await call('/inventory?productId=3')
    expect(synced.status).toBe(200)
    const [item] = await json(synced)
    expect(item.salesforceSync.status).toBe('updated')
    const flowUser = emulator.openSession(FLOW_USER)
    const product = emulator.records().find((record) => record.Id === item.salesforceSync.recordId)
    expect(product).toMatchObject({ Qty_In_Stock__c: item.quantityInStock, LastModifiedById: flowUser.userId })

    expect((await call('/orders', { method: 'POST', body: order(3) })).status).toBe(201)
    await app.salesforce?.publisher.publishDue()
    const eventUser = emulator.openSession(EVENT_USER)
    const events = emulator.events().filter((event) => event.type === DEFAULT_INVENTORY_EVENT)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ createdById: eventUser.userId, fields: { Product_Id__c: 3 } })
    expect(addon.reads()).toBe(1)
  })

  it('reads the authorization again once Salesforce refuses its token, and loses no event', async () => {
    const { call, emulator, app, addon } = await startAppLinkTestbed(engine)
    expect((await call('/orders', { method: 'POST', body: order(2) })).status).toBe(201)
    await app.salesforce?.publisher.publishDue()
    emulator.expireAllTokens()
    expect((await call('/orders', { method: 'POST', body: order(2) })).status).toBe(201)
    await app.salesforce?.publisher.publishDue()
    const quantities = emulator.events().map((event) => event.fields.Qty_In_Stock__c)
    expect(quantities).toHaveLength(2)
    expect(quantities[1]).toBe((quantities[0] as number) - 1)
    expect(addon.reads()).toBe(2)
  })

  it("fails getInventory with 502 SALESFORCE_AUTH when Salesforce refuses the invoking user's session", async () => {
    const { call, emulator } = await startAppLinkTestbed(engine)
    expect((await call('/products')).status).toBe(200)
    emulator.expireAllTokens()
    const refused = await call('/inventory?productId=1')
    expect(refused.status).toBe(502)
    expect(await json(refused)).toMatchObject({ code: 'SALESFORCE_AUTH' })
    // One attempt: the same refused session is not sent again.
    expect(emulator.counters().byEndpoint['GET query']).toBe(1)
  })

  it("answers a request Salesforce refuses with flowcart's words, and logs Salesforce's once", async () => {
    const { call, logs } = await startAppLinkTestbed(engine, { SF_PRODUCT_MATCH_FIELD: 'Missing_Field__c' })
    const refused = await call('/inventory?productId=1')
    expect(refused.status).toBe(502)
    const body = await refused.text()
    expect(JSON.parse(body)).toMatchObject({
      code: 'SALESFORCE_ERROR',
      message: expect.stringContaining('INVALID_FIELD'),
    })
    expect(body).not.toContain('No such column')
    expect(linesMentioning(logs, 'No such column')).toEqual([
      expect.objectContaining({ level: 40, reqId: refused.headers.get('x-request-id') }),
    ])
  })

  it('answers the mesh health check without a client context', async () => {
    const { mesh } = await startAppLinkTestbed(engine)
    const health = await fetch(`${mesh.url}/healthcheck`)
    expect(health.status).toBe(200)
    expect((await json(health)).database).toBe('ok')
  })

  it('without an authorization, syncs as the invoking user and publishes nothing', async () => {
    const { call, emulator, app } = await startAppLinkTestbed(engine, { APPLINK_AUTHORIZATION: '', HEROKU_APP_ID: '' })
    expect((await json(await call('/inventory?productId=2')))[0].salesforceSync.status).toBe('updated')
    expect((await call('/orders', { method: 'POST', body: order(2) })).status).toBe(201)
    expect(app.salesforce?.publishesToAnyOrg()).toBe(false)
    expect(emulator.events()).toEqual([])
    const health = await app.inject({ url: '/healthz' })
    expect(health.json().salesforce).toEqual({ configured: true, pendingEvents: 0 })
  })
})

describe('the trust boundary, and the mesh stand-in that keeps it in these tests', () => {
  // What a caller could write itself: another org and user, with a session that belongs to neither.
  const forged = clientContextHeader(
    {
      accessToken: 'forged',
      userId: '005000000000009AAA',
      username: 'mallory',
      orgId: '00D000000000009AAA',
      instanceUrl: 'https://evil.example',
    },
    '62.0',
    'forged',
  )

  it('(stand-in) refuses a request it cannot attribute, and replaces a caller-made x-client-context', async () => {
    const { call, emulator, mesh } = await startAppLinkTestbed('sqlite')
    expect((await fetch(`${mesh.url}/products`)).status).toBe(401)
    const placed = await call('/orders', { method: 'POST', body: order(1), headers: { 'x-client-context': forged } })
    expect(placed.status).toBe(201)
    expect((await json(placed)).placedBy.userId).toBe(emulator.openSession(FLOW_USER).userId)
  })

  it('refuses, at the app, a request that bypasses the mesh without a context', async () => {
    const { appUrl } = await startAppLinkTestbed('sqlite')
    for (const header of [
      undefined,
      'not base64 json',
      Buffer.from('{"orgId":"00D000000000001AAA"}').toString('base64'),
    ]) {
      const direct = await fetch(`${appUrl}/products`, { headers: header ? { 'x-client-context': header } : {} })
      expect(direct.status, String(header)).toBe(401)
      expect(await json(direct)).toMatchObject({ code: 'UNAUTHORIZED', statusCode: 401 })
    }
  })

  it('listens on loopback only: a public HOST stops start-up', async () => {
    await expect(startAppLinkTestbed('sqlite', { HOST: '0.0.0.0' })).rejects.toThrow(/loopback/)
  })

  it('gives a basic-mode caller nothing for an x-client-context: no login, and no org on its order', async () => {
    const app = await buildTestApp('sqlite')
    const without = await app.inject({ url: '/products', headers: { 'x-client-context': forged } })
    expect(without.statusCode).toBe(401)
    const placed = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { authorization: basicAuth(), 'x-client-context': forged, 'content-type': 'application/json' },
      payload: order(1),
    })
    expect(placed.statusCode).toBe(201)
    expect(placed.json().placedBy).toBeUndefined()
    const listed = await app.inject({
      url: '/orders?orgId=00D000000000009AAA',
      headers: { authorization: basicAuth() },
    })
    expect(listed.json()).toEqual([])
  })
})

describe('orders of several orgs in AppLink mode', () => {
  it('keep their idempotency keys and their reads to their own org', async () => {
    const app = await buildTestApp('sqlite', { AUTH_MODE: 'applink', APP_PORT: '0' })
    const as = (orgId: string) =>
      clientContextHeader(
        {
          accessToken: 't',
          userId: '005000000000001AAA',
          username: 'u',
          orgId,
          instanceUrl: 'https://acme.my.salesforce.com',
        },
        '62.0',
        'r',
      )
    const post = (orgId: string) =>
      app.inject({
        method: 'POST',
        url: '/orders',
        headers: { 'x-client-context': as(orgId), 'idempotency-key': 'same-key', 'content-type': 'application/json' },
        payload: order(1),
      })
    const first = await post('00D000000000001AAA')
    const retry = await post('00D000000000001AAA')
    const otherOrg = await post('00D000000000002AAA')
    expect([first.statusCode, retry.statusCode, otherOrg.statusCode]).toEqual([201, 201, 201])
    expect(retry.json().id).toBe(first.json().id)
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(otherOrg.json().id).not.toBe(first.json().id)
    expect(otherOrg.json().placedBy.orgId).toBe('00D000000000002AAA')

    // Reading: each org sees its own orders only, whatever orgId it asks for.
    const read = (orgId: string, url: string) => app.inject({ url, headers: { 'x-client-context': as(orgId) } })
    expect((await read('00D000000000002AAA', `/orders/${first.json().id}`)).statusCode).toBe(404)
    expect((await read('00D000000000001AAA', `/orders/${first.json().id}`)).statusCode).toBe(200)
    const listed = await read('00D000000000002AAA', '/orders')
    expect(listed.json().map((o: { id: number }) => o.id)).toEqual([otherOrg.json().id])
    expect((await read('00D000000000002AAA', '/orders?orgId=00D000000000001AAA')).json()).toEqual([])
  })
})

it('keeps the events and names the authorization when it cannot be read', async () => {
  const { call, app, logs, emulator } = await startAppLinkTestbed('sqlite', { APPLINK_AUTHORIZATION: 'missing_auth' })
  expect((await call('/orders', { method: 'POST', body: order(1) })).status).toBe(201)
  await app.salesforce?.publisher.publishDue()
  const health = await app.inject({ url: '/healthz' })
  expect(health.json().salesforce).toMatchObject({ pendingEvents: 1, lastError: 'SALESFORCE_AUTH' })
  expect(emulator.events()).toEqual([])
  expect(logs.some((line) => line.includes('missing_auth') && line.includes('not found'))).toBe(true)
})

describe('the Procfile line behind the mesh', () => {
  it('leaves PORT to the mesh, listens on APP_PORT on loopback, and prints no password', async () => {
    // The mesh's port, taken: a server that tried to listen on PORT would fail to start.
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    registerCleanup(() => new Promise((resolve) => taken.close(() => resolve())))
    const meshPort = String((taken.address() as AddressInfo).port)
    const emulator = await startSalesforceEmulator({ consumerKey: 'k', username: 'u@x.example', publicKey: '' })
    registerCleanup(() => emulator.close())

    const server = await startServer({
      AUTH_MODE: 'applink',
      PORT: meshPort,
      APP_PORT: '0',
      HOST: '',
      APPLINK_TRUSTED_ORG_ORIGINS: emulator.instanceUrl,
    })
    expect(server.port).not.toBe(Number(meshPort))
    expect(server.output()).not.toContain('API_PASSWORD')
    const mesh = await startMeshStandIn({ appUrl: server.url, openSession: emulator.openSession, apiVersion: '62.0' })
    registerCleanup(() => mesh.close())
    const products = await fetch(`${mesh.url}/products`, { headers: { [INVOKING_USER_HEADER]: FLOW_USER } })
    expect(products.status).toBe(200)
    expect((await fetch(`${server.url}/products`)).status).toBe(401)
  })
})
