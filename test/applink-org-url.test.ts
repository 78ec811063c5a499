// AppLink mode sends the invoking user's token to the org URL of x-client-context: only a Salesforce My Domain, or an
// origin the operator listed in APPLINK_TRUSTED_ORG_ORIGINS, is believed. A context that names anything else is
// refused like any invalid context, before any call leaves flowcart.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { clientContextHeader } from '../tools/applink-stand-in/mesh.js'
import { buildTestApp, registerCleanup } from './helper.js'
import { startAppLinkTestbed } from './support/applink-app.js'

const ORG_ID = '00D000000000009AAA'
const USER_ID = '005000000000009AAA'

/** x-client-context as anything on the dyno could write it, naming `orgDomainUrl`. */
const contextNaming = (orgDomainUrl: string) =>
  clientContextHeader(
    { accessToken: 'forged-token', userId: USER_ID, username: 'mallory', orgId: ORG_ID, instanceUrl: orgDomainUrl },
    '62.0',
    'forged',
  )

const EMPTY_QUERY = { totalSize: 0, done: true, records: [] }

/** A server that plays Salesforce to whoever calls, and counts every connection made to it (TLS attempts too). */
async function startLure(
  queryAnswer: object = EMPTY_QUERY,
): Promise<{ port: number; connections: () => number; requests: string[] }> {
  let connections = 0
  const requests: string[] = []
  const server: Server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`)
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify(request.method === 'GET' ? queryAnswer : []))
  })
  server.on('connection', () => {
    connections += 1
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  registerCleanup(() => new Promise((resolve) => server.close(() => resolve())))
  return { port: (server.address() as AddressInfo).port, connections: () => connections, requests }
}

describe('the org URL of x-client-context', () => {
  it('is refused with 401 before any call unless it is a Salesforce My Domain or a trusted origin', async () => {
    const { appUrl, emulator } = await startAppLinkTestbed('sqlite')
    const lure = await startLure()
    const lureOrigin = `127.0.0.1:${lure.port}`
    const forged = [
      `http://${lureOrigin}`, // plain http
      `https://${lureOrigin}`, // not a Salesforce host
      'https://evil.example',
      emulator.url, // the emulator's other port: trusted origins match exactly
      `https://acme.my.salesforce.com@${lureOrigin}`, // userinfo: the host is the lure
      `https://acme.my.salesforce.com%40${lureOrigin}`,
      `https://${lureOrigin}\\@acme.my.salesforce.com`, // a backslash is a slash in an https URL
      `https://${lureOrigin}/acme.my.salesforce.com`, // a path
      `https://${lureOrigin}?acme.my.salesforce.com`,
      `https://${lureOrigin}#acme.my.salesforce.com`,
      `//${lureOrigin}`,
      `https://0x7f.0.0.1:${lure.port}`,
      `HTTP://${lureOrigin}`, // upper case
      'HTTP://ACME.MY.SALESFORCE.COM',
      'HTTPS://ACME.MY.SALESFORCE.COM', // @heroku/applink puts https:// in front of what does not start with http
      'https://ACME.MY.SALESFORCE.COM.EVIL.EXAMPLE',
      'https://acme.my.salesforce.com.evil.example', // the suffix inside another name
      'https://acme.my.salesforce.com\n.evil.example', // URL parsing drops the newline
      'https://acme-my.salesforce.com.evil.example',
      'https://acmemy.salesforce.com',
      'https://my.salesforce.com', // the bare suffix
      'https://.my.salesforce.com',
      'https://acme.my.salesforce.com.', // a trailing dot
      'https://acme.my.salesforce.com:8443', // a port
      'https://acme.my.salesforce.com:443',
      'https://acme.my.salesforce.com/services/data', // a path on a real host
      'https://acmé.my.salesforce.com', // IDN, and its punycode
      'https://xn--acm-bma.my.salesforce.com',
      'https://acme.my.ѕalesforce.com', // a Cyrillic ѕ
      'https://acme.lightning.force.com', // Salesforce, but not the API's My Domain
      'https://na1.salesforce.com', // a legacy instance URL
      'ftp://acme.my.salesforce.com',
      '',
    ]
    const notRefused: string[] = []
    for (const orgDomainUrl of forged) {
      for (const path of ['/inventory?productId=1', '/products']) {
        const answer = await fetch(`${appUrl}${path}`, { headers: { 'x-client-context': contextNaming(orgDomainUrl) } })
        const body = (await answer.json()) as { code?: string }
        if (answer.status !== 401 || body.code !== 'UNAUTHORIZED') {
          notRefused.push(`${JSON.stringify(orgDomainUrl)} ${path}: ${answer.status} ${body.code}`)
        }
      }
    }
    expect(notRefused).toEqual([])
    expect(lure.connections()).toBe(0)
    expect(lure.requests).toEqual([])
    expect(emulator.counters()).toMatchObject({ apiCalls: 0, tokenRequests: 0 })
  })

  it('accepts every kind of My Domain, written as AppLink or the SDK writes it', async () => {
    const app = await buildTestApp('sqlite', { AUTH_MODE: 'applink', APP_PORT: '0' })
    for (const orgDomainUrl of [
      'https://acme.my.salesforce.com', // production
      'https://acme--uat.sandbox.my.salesforce.com', // sandbox
      'https://acme-dev-ed.develop.my.salesforce.com', // Developer Edition
      'https://site-ruby-4242.scratch.my.salesforce.com', // scratch org
      'https://curious-bear-1a2b3c.trailblaze.my.salesforce.com', // Trailhead Playground
      'https://acme.demo.my.salesforce.com',
      'https://acme.patch.my.salesforce.com',
      'https://acme.my.salesforce.com/',
      'https://ACME.MY.SALESFORCE.COM', // host names are case-insensitive
      'acme.my.salesforce.com', // @heroku/applink puts https:// in front of a bare host
    ]) {
      const placed = await app.inject({
        method: 'POST',
        url: '/orders',
        headers: { 'x-client-context': contextNaming(orgDomainUrl), 'content-type': 'application/json' },
        payload: { items: [{ productId: 1, quantity: 1 }] },
      })
      expect(placed.statusCode, orgDomainUrl).toBe(201)
      expect(placed.json().placedBy).toEqual({ orgId: ORG_ID, userId: USER_ID })
    }
  })

  it('is the same rule for the event publisher: an authorization on an untrusted URL publishes nowhere', async () => {
    // The add-on stand-in answers with the emulator's URL, which this operator did not list.
    const { app, addon, emulator, logs } = await startAppLinkTestbed('sqlite', {
      APPLINK_TRUSTED_ORG_ORIGINS: 'https://agency.my.salesforce.mil',
    })
    const placed = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: {
        'x-client-context': contextNaming('https://acme.my.salesforce.com'),
        'content-type': 'application/json',
      },
      payload: { items: [{ productId: 1, quantity: 1 }] },
    })
    expect(placed.statusCode).toBe(201)
    await app.salesforce?.publisher.publishDue()
    expect(addon.reads()).toBe(1)
    expect(emulator.counters().apiCalls).toBe(0)
    expect(emulator.events()).toEqual([])
    const health = await app.inject({ url: '/healthz' })
    expect(health.json().salesforce).toMatchObject({ pendingEvents: 1, lastError: 'SALESFORCE_AUTH' })
    expect(
      logs.some((line) => line.includes('neither a Salesforce My Domain nor in APPLINK_TRUSTED_ORG_ORIGINS')),
    ).toBe(true)
  })

  it('follows a query page link only on the org it asked', async () => {
    const elsewhere = await startLure()
    // An org (here a trusted origin) whose query answer sends the next page somewhere else.
    const org = await startLure({
      totalSize: 4000,
      done: false,
      records: [],
      nextRecordsUrl: `http://127.0.0.1:${elsewhere.port}/services/data/v62.0/query/01g-2000`,
    })
    const orgUrl = `http://127.0.0.1:${org.port}`
    const { appUrl } = await startAppLinkTestbed('sqlite', { APPLINK_TRUSTED_ORG_ORIGINS: orgUrl })
    const answer = await fetch(`${appUrl}/inventory?productId=1`, {
      headers: { 'x-client-context': contextNaming(orgUrl) },
    })
    expect(answer.status).toBe(502)
    expect(await answer.json()).toMatchObject({ code: 'SALESFORCE_ERROR' })
    expect(org.requests).toHaveLength(1)
    expect(elsewhere.connections()).toBe(0)
  })
})
