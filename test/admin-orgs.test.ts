// GET /admin/orgs: one entry per org (the default org and every registered one) with its calls, orders and revenue,
// its publishing, and the publishing side's figures, on both engines.
import { describe, expect, it } from 'vitest'
import { toOrgId18 } from '../src/orgs/org-id.js'
import { addOrg, setOrgStatus } from '../src/orgs/service.js'
import { basicAuth, engines } from './helper.js'
import {
  adminHeaders,
  ago,
  DAY,
  insertOrder,
  insertPublishCall,
  MINUTE,
  startAdminApp,
  syncFiguresOf,
} from './support/admin.js'

const ACME = '00D5g000004AbCd'
const BETA = '00D5g000004XyZa'
/** Amounts added as the API adds them, in cents. */
const sum = (...amounts: number[]) => amounts.reduce((total, amount) => total + Math.round(amount * 100), 0) / 100

describe.each(engines)('GET /admin/orgs on %s', (engine) => {
  it("shows each org's calls, orders, revenue per currency, publishing and token", async () => {
    const startedAt = Date.now()
    const acmeKey = toOrgId18(ACME)
    const { app, db } = await startAdminApp(engine, {
      syncFigures: syncFiguresOf({
        [acmeKey]: { publishesVia: 'jwt', eventsPending: 3, oldestPendingSeconds: 42.5, token: 'valid' },
        default: { publishesVia: 'jwt', eventsPending: 0, oldestPendingSeconds: null, token: 'not-requested' },
      }),
    })
    const acme = await addOrg(db, { orgId: ACME, name: 'Acme' })
    const beta = await addOrg(db, { orgId: BETA, name: 'Beta' })
    expect(acme.org.orgId).toBe(acmeKey)
    await setOrgStatus(db, BETA, 'disabled')
    const betaKey = beta.org.orgId

    // Today, through the API: one order of the default login, two of Acme's.
    const place = async (authorization: string, productId: number) => {
      const placed = await app.inject({
        method: 'POST',
        url: '/orders',
        headers: { authorization },
        payload: { items: [{ productId, quantity: 2 }] },
      })
      expect(placed.statusCode).toBe(201)
      return placed.json() as { totalPrice: number; currencyCode: string }
    }
    const asAcme = basicAuth(acme.org.username, acme.password)
    const byDefault = await place(basicAuth(), 1)
    const acmeFirst = await place(asAcme, 1)
    const acmeSecond = await place(asAcme, 2)
    // Earlier: within 30 days, and before them (left out).
    await insertOrder(db, { orgId: acmeKey, currencyCode: 'EUR', totalCents: 1234, at: ago(10 * DAY) })
    await insertOrder(db, { orgId: acmeKey, currencyCode: 'USD', totalCents: 9999, at: ago(40 * DAY) })
    await insertOrder(db, { orgId: null, currencyCode: 'USD', totalCents: 500, at: ago(DAY + MINUTE) })
    await insertOrder(db, { orgId: betaKey, currencyCode: 'USD', totalCents: 700, at: ago(MINUTE) })

    // Acme: published, then failed since. Beta: failed, then published again. Default: never published.
    const acmePublished = ago(2 * MINUTE)
    const betaPublished = ago(2 * MINUTE)
    await insertPublishCall(db, { orgKey: acmeKey, at: acmePublished, delayMs: 800 })
    await insertPublishCall(db, { orgKey: acmeKey, at: ago(MINUTE), errorCode: 'SALESFORCE_AUTH' })
    await insertPublishCall(db, { orgKey: betaKey, at: ago(3 * MINUTE), errorCode: 'SALESFORCE_UNAVAILABLE' })
    await insertPublishCall(db, { orgKey: betaKey, at: betaPublished, delayMs: 300 })
    await insertPublishCall(db, { orgKey: 'default', at: ago(MINUTE), errorCode: 'SALESFORCE_UNAVAILABLE' })

    // The last calls are written after the answer: wait until both callers' have landed.
    const figures = async () => (await app.inject({ url: '/admin/orgs', headers: adminHeaders })).json()
    await expect
      .poll(async () => (await figures()).map((org: { lastCallAt: string | null }) => org.lastCallAt !== null))
      .toEqual([true, true, false])

    const response = await app.inject({ url: '/admin/orgs', headers: adminHeaders })
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    const usd = (amount: number) => [{ currencyCode: 'USD', amount }]
    const acmeToday = sum(acmeFirst.totalPrice, acmeSecond.totalPrice)
    expect(byDefault.currencyCode).toBe('USD')
    expect(response.json()).toEqual([
      {
        orgKey: 'default',
        orgId: null,
        name: 'Default org (single-org configuration)',
        status: 'active',
        lastCallAt: expect.any(String),
        today: { orders: 1, revenue: usd(byDefault.totalPrice) },
        last30Days: { orders: 2, revenue: usd(sum(byDefault.totalPrice, 5)) },
        eventsPending: 0,
        oldestPendingSeconds: null,
        lastPublishedAt: null,
        lastErrorCode: 'SALESFORCE_UNAVAILABLE',
        token: 'not-requested',
        publishesVia: 'jwt',
        // The catalog does not follow Salesforce here.
        catalogChanges: null,
      },
      {
        orgKey: acmeKey,
        orgId: acmeKey,
        name: 'Acme',
        status: 'active',
        lastCallAt: expect.any(String),
        today: { orders: 2, revenue: usd(acmeToday) },
        last30Days: {
          orders: 3,
          revenue: [
            { currencyCode: 'EUR', amount: 12.34 },
            { currencyCode: 'USD', amount: acmeToday },
          ],
        },
        eventsPending: 3,
        oldestPendingSeconds: 42.5,
        lastPublishedAt: acmePublished,
        lastErrorCode: 'SALESFORCE_AUTH',
        token: 'valid',
        publishesVia: 'jwt',
        catalogChanges: null,
      },
      {
        orgKey: betaKey,
        orgId: betaKey,
        name: 'Beta',
        status: 'disabled',
        lastCallAt: null,
        today: { orders: 1, revenue: usd(7) },
        last30Days: { orders: 1, revenue: usd(7) },
        eventsPending: 0,
        oldestPendingSeconds: null,
        lastPublishedAt: betaPublished,
        lastErrorCode: null,
        token: 'none',
        publishesVia: 'none',
        catalogChanges: null,
      },
    ])
    // Recorded when the caller called: after the test began, not after it asked.
    for (const org of response.json().slice(0, 2)) {
      expect(Date.parse(org.lastCallAt)).toBeGreaterThanOrEqual(startedAt)
      expect(Date.parse(org.lastCallAt)).toBeLessThanOrEqual(Date.now())
    }
  })

  it('counts only what happened since midnight UTC as today', async () => {
    const { app, db } = await startAdminApp(engine)
    const midnight = new Date()
    midnight.setUTCHours(0, 0, 0, 0)
    await insertOrder(db, { orgId: null, currencyCode: 'USD', totalCents: 100, at: midnight.toISOString() })
    await insertOrder(db, { orgId: null, currencyCode: 'USD', totalCents: 200, at: ago(1, midnight.getTime()) })
    const [defaultOrg] = (await app.inject({ url: '/admin/orgs', headers: adminHeaders })).json()
    expect(defaultOrg.today).toEqual({ orders: 1, revenue: [{ currencyCode: 'USD', amount: 1 }] })
    expect(defaultOrg.last30Days).toEqual({ orders: 2, revenue: [{ currencyCode: 'USD', amount: 3 }] })
    // Without the publishing side's figures, no org gets events.
    expect(defaultOrg).toMatchObject({
      publishesVia: 'none',
      eventsPending: 0,
      oldestPendingSeconds: null,
      token: 'none',
    })
  })
})
