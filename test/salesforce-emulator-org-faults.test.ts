// Each org of the emulator has its own counters, limits and failures: one org fails while another answers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  publish,
  query,
  requestToken,
  rest,
  SIGNER_A,
  SIGNER_B,
  signIn,
  startTwoOrgs,
  type TwoOrgs,
} from './support/emulated-orgs.js'

const SOQL = 'SELECT Id FROM Product2'

let orgs: TwoOrgs
let a: { token: string; instanceUrl: string }
let b: { token: string; instanceUrl: string }

beforeEach(async () => {
  orgs = await startTwoOrgs({ products: [{ Name: 'Widget' }] }, { products: [{ Name: 'Widget' }], apiLimit: 3 })
  a = await signIn(orgs.emulator.url, SIGNER_A)
  b = await signIn(orgs.emulator.url, SIGNER_B)
})
afterEach(() => orgs.emulator.close())

describe('counters and limits per org', () => {
  it("counts each org's token requests and REST calls in that org only", async () => {
    await query(a.instanceUrl, a.token, SOQL)
    await query(a.instanceUrl, a.token, SOQL)
    await publish(b.instanceUrl, b.token, 'SKU-1', 1)
    await query(b.instanceUrl, a.token, SOQL) // refused in B, and counted there as Salesforce counts every call
    expect(orgs.orgA.counters()).toEqual({
      tokenRequests: 1,
      apiCalls: 2,
      byEndpoint: { 'POST /services/oauth2/token': 1, 'GET query': 2 },
    })
    expect(orgs.orgB.counters()).toEqual({
      tokenRequests: 1,
      apiCalls: 2,
      byEndpoint: { 'POST /services/oauth2/token': 1, 'POST composite/sobjects': 1, 'GET query': 1 },
    })
    orgs.orgB.resetCounters()
    expect(orgs.orgA.counters().apiCalls).toBe(2)
  })

  it('answers REQUEST_LIMIT_EXCEEDED in the org over its own daily limit while the other answers', async () => {
    for (let i = 0; i < 3; i++) expect((await query(b.instanceUrl, b.token, SOQL)).status).toBe(200)
    const over = await query(b.instanceUrl, b.token, SOQL)
    expect(over.status).toBe(403)
    expect(over.body[0].errorCode).toBe('REQUEST_LIMIT_EXCEEDED')
    expect(over.headers.get('sforce-limit-info')).toBe('api-usage=4/3')
    const inA = await query(a.instanceUrl, a.token, SOQL)
    expect(inA.status).toBe(200)
    expect(inA.headers.get('sforce-limit-info')).toBe('api-usage=1/15000')
    expect(orgs.orgB.limits()).toEqual({ apiUsage: 4, apiLimit: 3 })
    orgs.orgB.setApiLimit(100)
    expect((await query(b.instanceUrl, b.token, SOQL)).status).toBe(200)
  })
})

describe('failures per org', () => {
  it('answers 503 in the org that is down, and normally in the other', async () => {
    orgs.orgA.setDown(true)
    expect((await query(a.instanceUrl, a.token, SOQL)).status).toBe(503)
    expect((await query(b.instanceUrl, b.token, SOQL)).status).toBe(200)
    expect((await publish(b.instanceUrl, b.token, 'SKU-1', 2)).status).toBe(200)
    expect(orgs.orgB.events()).toHaveLength(1)
    expect(orgs.orgA.events()).toEqual([])
  })

  it('fails records and injected calls in one org only', async () => {
    orgs.orgB.failRecords(() => true, 'UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record')
    orgs.orgB.failNextApiCalls(1, 'server-error')
    expect((await publish(b.instanceUrl, b.token, 'SKU-1', 1)).status).toBe(500)
    const inB = await publish(b.instanceUrl, b.token, 'SKU-1', 1)
    expect(inB.body[0]).toMatchObject({ success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW' }] })
    const inA = await publish(a.instanceUrl, a.token, 'SKU-1', 1)
    expect(inA.body[0]).toMatchObject({ success: true })
    expect([orgs.orgA.events().length, orgs.orgB.events().length]).toEqual([1, 0])
  })

  it('refuses tokens of one org, for as long as asked, while the other grants them', async () => {
    orgs.orgA.refuseTokens(true)
    orgs.orgB.failNextTokenRequests(1)
    const refusedA = await requestToken(orgs.emulator.url, SIGNER_A)
    expect(refusedA).toMatchObject({ status: 400, body: { error_description: "user hasn't approved this consumer" } })
    expect((await requestToken(orgs.emulator.url, SIGNER_A)).status).toBe(400)
    expect((await requestToken(orgs.emulator.url, SIGNER_B)).status).toBe(400)
    expect((await requestToken(orgs.emulator.url, SIGNER_B)).status).toBe(200)
    orgs.orgA.refuseTokens(false)
    expect((await requestToken(orgs.emulator.url, SIGNER_A)).status).toBe(200)
  })

  it("expires one org's tokens only", async () => {
    orgs.orgA.expireAllTokens()
    expect((await query(a.instanceUrl, a.token, SOQL)).status).toBe(401)
    expect((await query(b.instanceUrl, b.token, SOQL)).status).toBe(200)
  })

  it('answers the other org while one is slow', async () => {
    orgs.orgA.setLatency(1500)
    let slowAnswered = false
    const slow = query(a.instanceUrl, a.token, SOQL).then((response) => {
      slowAnswered = true
      return response
    })
    expect((await requestToken(orgs.emulator.url, SIGNER_B)).status).toBe(200)
    expect((await query(b.instanceUrl, b.token, SOQL)).status).toBe(200)
    expect(slowAnswered).toBe(false)
    expect((await slow).status).toBe(200)
  })
})

describe('admin endpoints per org', () => {
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${orgs.emulator.url}/__emulator/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : undefined }
  }

  it('lists the orgs and shows and injects faults in the one named', async () => {
    const listed = await admin('GET', 'orgs')
    expect(listed.body).toEqual(
      [orgs.orgA, orgs.orgB].map(({ orgId, instanceUrl, username, consumerKey }) => ({
        orgId,
        instanceUrl,
        username,
        consumerKey,
      })),
    )
    await publish(b.instanceUrl, b.token, 'SKU-1', 5)
    const state = await admin('GET', `orgs/${orgs.orgB.orgId}/state`)
    expect(state.body).toEqual({
      counters: orgs.orgB.counters(),
      records: orgs.orgB.records(),
      events: orgs.orgB.events(),
    })
    // The first org's own routes stay where they were.
    expect((await admin('GET', 'events')).body).toEqual([])

    const faults = await admin('POST', `orgs/${orgs.orgB.orgId.slice(0, 15)}/faults`, { down: true, apiLimit: 50 })
    expect(faults.body).toMatchObject({ down: true, apiLimit: 50, refusingTokens: false })
    expect((await query(b.instanceUrl, b.token, SOQL)).status).toBe(503)
    expect((await query(a.instanceUrl, a.token, SOQL)).status).toBe(200)
    const session = await admin('POST', `orgs/${orgs.orgB.orgId}/sessions`, { username: 'flow@org-b.example' })
    expect(session.body).toMatchObject({ orgId: orgs.orgB.orgId, instanceUrl: orgs.orgB.instanceUrl })
  })

  it('answers 404 for an org it does not host', async () => {
    expect((await admin('GET', 'orgs/00D000000000001AAA/events')).status).toBe(404)
    expect((await rest(a.instanceUrl, a.token, 'GET', '/__emulator/orgs')).status).toBe(404)
  })
})
