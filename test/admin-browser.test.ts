// The status page in a real browser (Debian's chromium), from a listening server, as an admin sees it on a phone:
// the figures of each org are those of GET /admin/orgs, the charts are drawn, nothing runs, and nothing scrolls sideways.
import type { AddressInfo } from 'node:net'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { addOrg, setOrgStatus } from '../src/orgs/service.js'
import { basicAuth } from './helper.js'
import {
  ADMIN_PASSWORD,
  ADMIN_USER,
  adminHeaders,
  ago,
  insertOrder,
  insertPublishCall,
  MINUTE,
  startAdminApp,
  syncFiguresOf,
} from './support/admin.js'
import { browserAvailable, launchBrowser } from './support/browser.js'

const PHONE = { width: 390, height: 844 }
const HOSTILE_NAME = '<script>alert("owned")</script> Acme'

interface ApiOrg {
  orgKey: string
  orgId: string | null
  name: string
  status: string
  lastCallAt: string | null
  today: { orders: number; revenue: Array<{ currencyCode: string; amount: number }> }
  last30Days: { orders: number; revenue: Array<{ currencyCode: string; amount: number }> }
  eventsPending: number
  oldestPendingSeconds: number | null
  lastPublishedAt: string | null
  lastErrorCode: string | null
  token: string
  publishesVia: string
}

// What an admin reads for each value of the API.
const time = (iso: string | null) => (iso === null ? 'never' : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`)
const money = (revenue: ApiOrg['today']['revenue']) =>
  revenue.length === 0 ? 'none' : revenue.map((r) => `${r.amount.toFixed(2)} ${r.currencyCode}`).join(', ')
const TOKEN: Record<string, string> = {
  valid: 'valid',
  'not-requested': 'not requested yet',
  refused: 'refused by the org',
  failing: 'failing (Salesforce down or slow)',
  none: 'none',
}
const PATH: Record<string, string> = { jwt: 'JWT bearer sign-in', applink: 'AppLink authorization', none: 'none' }

function shownFor(org: ApiOrg): Record<string, string> {
  return {
    name: org.name,
    orgId: org.orgId ?? 'no org Id: the SF_* variables or APPLINK_AUTHORIZATION, and the default login',
    status: org.status,
    lastCallAt: time(org.lastCallAt),
    'today.orders': String(org.today.orders),
    'today.revenue': money(org.today.revenue),
    'last30Days.orders': String(org.last30Days.orders),
    'last30Days.revenue': money(org.last30Days.revenue),
    eventsPending: String(org.eventsPending),
    oldestPendingSeconds: org.oldestPendingSeconds === null ? 'none' : `${Math.round(org.oldestPendingSeconds)} s`,
    lastPublishedAt: time(org.lastPublishedAt),
    lastErrorCode: org.lastErrorCode ?? 'none',
    token: TOKEN[org.token] ?? `unknown token state ${org.token}`,
    publishesVia: PATH[org.publishesVia] ?? `unknown path ${org.publishesVia}`,
    ...(org.publishesVia === 'none' ? { noEvents: 'Gets no events: no sign-in / no AppLink authorization.' } : {}),
  }
}

/** Every figure a card shows, by its name, as the browser renders its text. */
async function figuresShown(page: Page, orgKey: string): Promise<Record<string, string>> {
  const figures = await page.locator(`article[data-org-key="${orgKey}"] [data-figure]`).all()
  const shown: Record<string, string> = {}
  for (const figure of figures) {
    shown[(await figure.getAttribute('data-figure')) ?? ''] = ((await figure.textContent()) ?? '').trim()
  }
  return shown
}

describe.skipIf(!browserAvailable)('the status page in a browser', () => {
  it('shows for each org the figures of GET /admin/orgs, with its charts, on a 390 px screen', async () => {
    const { app, db } = await startAdminApp('sqlite', {
      syncFigures: syncFiguresOf({
        default: { publishesVia: 'jwt', eventsPending: 4, oldestPendingSeconds: 12.4, token: 'valid' },
      }),
    })
    const acme = await addOrg(db, { orgId: '00D5g000004AbCd', name: HOSTILE_NAME })
    const beta = await addOrg(db, {
      orgId: '00D5g000004XyZa',
      name: 'BetaIndustriesInternationalHoldingsWorldwideLimitedPartnership',
    })
    await setOrgStatus(db, beta.org.orgId, 'disabled')
    for (const authorization of [basicAuth(), basicAuth(acme.org.username, acme.password)]) {
      const placed = await app.inject({
        method: 'POST',
        url: '/orders',
        headers: { authorization },
        payload: { items: [{ productId: 1, quantity: 1 }] },
      })
      expect(placed.statusCode).toBe(201)
    }
    await insertOrder(db, { orgId: acme.org.orgId, currencyCode: 'EUR', totalCents: 4550, at: ago(3 * 60 * MINUTE) })
    await insertPublishCall(db, { orgKey: 'default', at: ago(30 * MINUTE), delayMs: 640 })
    await insertPublishCall(db, { orgKey: acme.org.orgId, at: ago(MINUTE), errorCode: 'SALESFORCE_AUTH' })
    await app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    // Both callers' last calls have landed.
    const apiOrgs = async (): Promise<ApiOrg[]> =>
      (await fetch(`${base}/admin/orgs`, { headers: adminHeaders })).json() as Promise<ApiOrg[]>
    await expect.poll(async () => (await apiOrgs()).filter((org) => org.lastCallAt !== null).length).toBe(2)

    const browser = await launchBrowser({
      viewport: PHONE,
      httpCredentials: { username: ADMIN_USER, password: ADMIN_PASSWORD },
    })
    const page = await browser.newPage()
    const dialogs: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    const errors: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('favicon')) errors.push(message.text())
    })
    const response = await page.goto(`${base}/admin`)
    expect(response?.status()).toBe(200)
    const expected = await apiOrgs()

    // One card per org, in the API's order, each showing the API's figures.
    const keys = await page
      .locator('article.org')
      .evaluateAll((cards) => cards.map((card) => card.getAttribute('data-org-key')))
    expect(keys).toEqual(expected.map((org) => org.orgKey))
    for (const org of expected) expect(await figuresShown(page, org.orgKey)).toEqual(shownFor(org))
    expect(await page.locator(`article[data-org-key="${acme.org.orgId}"] h2`).textContent()).toBe(HOSTILE_NAME)

    // Each card has its two charts of 24 hourly bars, drawn at a visible size; its orders of the last 24 hours are
    // on its orders chart, and the busiest hour's bar can be seen.
    const ordersIn24Hours: Record<string, number> = { default: 1, [acme.org.orgId]: 2, [beta.org.orgId]: 0 }
    for (const org of expected) {
      for (const chart of ['orders', 'delay']) {
        const svg = page.locator(`article[data-org-key="${org.orgKey}"] svg[data-chart="${chart}"]`)
        const box = await svg.boundingBox()
        expect(box?.width).toBeGreaterThan(200)
        expect(box?.height).toBeGreaterThan(20)
        expect(await svg.locator('rect').count()).toBe(24)
      }
      const bars = page.locator(`article[data-org-key="${org.orgKey}"] svg[data-chart="orders"] rect`)
      const values = await bars.evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('data-value'))))
      expect([org.orgKey, values.reduce((sum, value) => sum + value, 0)]).toEqual([
        org.orgKey,
        ordersIn24Hours[org.orgKey],
      ])
      if (Math.max(...values) > 0) {
        const busiest = await bars.nth(values.indexOf(Math.max(...values))).boundingBox()
        expect(busiest?.height).toBeGreaterThan(10)
      }
    }

    // Readable on a phone: nothing wider than the screen, the stylesheet applied (allowed by its hash), no script run.
    const widths = (await page.evaluate(
      '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
    )) as number[]
    expect(widths).toEqual([PHONE.width, PHONE.width])
    for (const card of await page.locator('article.org').all()) {
      const box = await card.boundingBox()
      expect((box?.x ?? 0) + (box?.width ?? Number.POSITIVE_INFINITY)).toBeLessThanOrEqual(PHONE.width)
    }
    expect(await page.evaluate("getComputedStyle(document.querySelector('article.org')).borderTopStyle")).toBe('solid')
    expect(dialogs).toEqual([])
    expect(errors).toEqual([])
  })
})
