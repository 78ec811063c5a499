// GET /admin: the status page as the server sends it: a page no script can run in, org names as text whatever they
// hold, a plain word for an org that gets no events, and each org's last 24 hours drawn hour by hour.
import { describe, expect, it } from 'vitest'
import { addOrg, setOrgStatus } from '../src/orgs/service.js'
import { engines } from './helper.js'
import {
  adminHeaders,
  ago,
  insertOrder,
  insertPublishCall,
  MINUTE,
  startAdminApp,
  syncFiguresOf,
} from './support/admin.js'

const HOUR = 60 * MINUTE
const HOSTILE_NAME = '<script>alert("owned")</script> & <img src=x onerror=alert(1)>'

/** The bars of one org's chart as the page draws them: each hour's title and value. */
function barsOf(html: string, orgKey: string, chart: string) {
  const card = html.slice(html.indexOf(`data-org-key="${orgKey}"`))
  const svg = card.slice(
    card.indexOf(`data-chart="${chart}"`),
    card.indexOf('</svg>', card.indexOf(`data-chart="${chart}"`)),
  )
  return [...svg.matchAll(/<rect [^>]*data-value="([^"]*)"><title>([^<]*)<\/title><\/rect>/g)].map((match) => ({
    value: match[1],
    title: match[2],
  }))
}
/** "14:00 UTC", the hour a time falls in, as the bars' titles name it. */
const hourOf = (iso: string) => `${iso.slice(11, 13)}:00 UTC`

describe.each(engines)('the status page on %s', (engine) => {
  it('forbids every script, and keeps an org name text, whatever it holds', async () => {
    const { app, db } = await startAdminApp(engine)
    await addOrg(db, { orgId: '00D5g000004AbCd', name: HOSTILE_NAME })
    const page = await app.inject({ url: '/admin', headers: adminHeaders })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['cache-control']).toBe('no-store')
    const policy = String(page.headers['content-security-policy'])
    expect(policy).toContain("default-src 'none'")
    expect(policy).toContain("script-src 'none'")
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/)
    expect(page.body).not.toMatch(/<script|<img/i)
    expect(page.body).toContain(
      '&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;',
    )
    expect(page.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">')
  })

  it('says plainly which org gets no events, and shows each one’s figures and status', async () => {
    const { app, db } = await startAdminApp(engine, {
      syncFigures: syncFiguresOf({
        default: { publishesVia: 'applink', eventsPending: 2, oldestPendingSeconds: 7, token: 'valid' },
      }),
    })
    const acme = await addOrg(db, { orgId: '00D5g000004AbCd', name: 'Acme' })
    await setOrgStatus(db, acme.org.orgId, 'disabled')
    const html = (await app.inject({ url: '/admin', headers: adminHeaders })).body
    const cardOf = (key: string) => {
      const start = html.indexOf(`data-org-key="${key}"`)
      return html.slice(start, html.indexOf('</article>', start))
    }
    const noEvents = 'Gets no events: no sign-in / no AppLink authorization.'
    expect(cardOf(acme.org.orgId)).toContain(noEvents)
    expect(cardOf(acme.org.orgId)).toContain('data-figure="status">disabled<')
    expect(cardOf('default')).not.toContain(noEvents)
    expect(cardOf('default')).toContain('data-figure="eventsPending">2<')
    expect(cardOf('default')).toContain('data-figure="publishesVia">AppLink authorization<')
  })

  it('draws orders per hour and the longest sync delay per hour over the last 24 hours', async () => {
    const { app, db } = await startAdminApp(engine)
    const acme = await addOrg(db, { orgId: '00D5g000004AbCd', name: 'Acme' })
    const key = acme.org.orgId
    const twoHoursAgo = ago(2 * HOUR)
    for (let order = 0; order < 3; order++) {
      await insertOrder(db, { orgId: key, currencyCode: 'USD', totalCents: 100, at: twoHoursAgo })
    }
    await insertOrder(db, { orgId: key, currencyCode: 'USD', totalCents: 100, at: ago(25 * HOUR) })
    await insertOrder(db, { orgId: null, currencyCode: 'USD', totalCents: 100, at: twoHoursAgo })
    const fiveHoursAgo = ago(5 * HOUR)
    await insertPublishCall(db, { orgKey: key, at: fiveHoursAgo, delayMs: 1200 })
    await insertPublishCall(db, { orgKey: key, at: fiveHoursAgo, delayMs: 800 })
    await insertPublishCall(db, { orgKey: key, at: fiveHoursAgo, errorCode: 'SALESFORCE_AUTH' })

    const html = (await app.inject({ url: '/admin', headers: adminHeaders })).body
    const orders = barsOf(html, key, 'orders')
    expect(orders).toHaveLength(24)
    expect(orders.filter((bar) => bar.value !== '0')).toEqual([
      { value: '3', title: `${hourOf(twoHoursAgo)}: 3 orders` },
    ])
    const delay = barsOf(html, key, 'delay')
    expect(delay).toHaveLength(24)
    expect(delay.filter((bar) => bar.value !== '')).toEqual([
      { value: '1200', title: `${hourOf(fiveHoursAgo)}: at most 1200 ms` },
    ])
    // The default org's order is on its own chart.
    expect(barsOf(html, 'default', 'orders').filter((bar) => bar.value !== '0')).toHaveLength(1)
  })
})
