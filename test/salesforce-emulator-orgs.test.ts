// One emulator, several orgs: a JWT signs in to the org of its app and user, and its token reaches that org alone.
import { afterEach, describe, expect, it } from 'vitest'
import { PRODUCT_OBJECT } from '../src/salesforce/names.js'
import {
  assertion,
  JWT_BEARER,
  PUBLIC_KEYS,
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

let orgs: TwoOrgs | undefined
afterEach(async () => {
  await orgs?.emulator.close()
  orgs = undefined
})

async function start(...options: Parameters<typeof startTwoOrgs>): Promise<TwoOrgs> {
  orgs = await startTwoOrgs(...options)
  return orgs
}

const ID_18 = /^[a-zA-Z0-9]{15}[A-Z0-5]{3}$/

describe('signing in to one of several orgs', () => {
  it("gives each org its own org Id, user and instance host, named in the token response as Salesforce's", async () => {
    const { emulator, orgA, orgB } = await start()
    const a = await requestToken(emulator.url, SIGNER_A)
    const b = await requestToken(emulator.url, SIGNER_B)
    expect([a.status, b.status]).toEqual([200, 200])

    expect(orgA.orgId).toMatch(ID_18)
    expect(orgB.orgId).toMatch(ID_18)
    expect(orgB.orgId).not.toBe(orgA.orgId)
    expect(orgB.instanceUrl).not.toBe(orgA.instanceUrl)
    expect(a.body.instance_url).toBe(orgA.instanceUrl)
    expect(b.body.instance_url).toBe(orgB.instanceUrl)
    // The identity URL is on the one login host: /id/<org Id>/<user Id>, and the token starts with the 15-char org Id.
    expect(a.body.id).toMatch(new RegExp(`^${emulator.url}/id/${orgA.orgId}/005\\w{15}$`))
    expect(b.body.id).toMatch(new RegExp(`^${emulator.url}/id/${orgB.orgId}/005\\w{15}$`))
    expect(a.body.id.split('/').pop()).not.toBe(b.body.id.split('/').pop())
    expect(b.body.access_token.startsWith(`${orgB.orgId.slice(0, 15)}!`)).toBe(true)
    expect(emulator.orgs().map((org) => org.orgId)).toEqual([orgA.orgId, orgB.orgId])
  })

  it('answers the identity URL of an org with its own token only', async () => {
    const { emulator } = await start()
    const a = await requestToken(emulator.url, SIGNER_A)
    const b = await requestToken(emulator.url, SIGNER_B)
    const identity = (url: string, token: string) => fetch(url, { headers: { authorization: `Bearer ${token}` } })

    const own = await identity(b.body.id, b.body.access_token)
    expect(own.status).toBe(200)
    expect(await own.json()).toMatchObject({ username: SIGNER_B.username, organization_id: b.body.id.split('/')[4] })
    expect((await identity(b.body.id, a.body.access_token)).status).toBe(403)
  })

  it('takes the org Id it is given, in either form, and answers with the 18-character one', async () => {
    const { emulator, orgB } = await start({ orgId: '00D5e000003TIrB' }, { orgId: '00D5e000003TIrCEAW' })
    expect(emulator.orgId).toBe('00D5e000003TIrBEAW')
    expect(orgB.orgId).toBe('00D5e000003TIrCEAW')
    const b = await requestToken(emulator.url, SIGNER_B)
    expect(b.body.id).toContain('/id/00D5e000003TIrCEAW/')
    expect(b.body.access_token.startsWith('00D5e000003TIrC!')).toBe(true)
  })

  it("refuses a user's JWT signed with another org's certificate, and a user unknown to the app's org", async () => {
    const { emulator } = await start()
    const foreignKey = await requestToken(emulator.url, { ...SIGNER_B, privateKey: SIGNER_A.privateKey })
    expect(foreignKey).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'invalid assertion' },
    })
    const strangerInA = await requestToken(emulator.url, { ...SIGNER_A, username: 'someone@org-b.example' })
    expect(strangerInA.body).toEqual({
      error: 'invalid_grant',
      error_description: "user hasn't approved this consumer",
    })
    const crossed = await requestToken(emulator.url, { ...SIGNER_A, username: SIGNER_B.username })
    expect(crossed.body.error).toBe('invalid_grant')
    expect(emulator.orgs().map((org) => org.counters().tokenRequests)).toEqual([2, 1])
  })

  it('signs in to the org of the user when one packaged app, and its certificate, serve both orgs', async () => {
    const { emulator, orgB } = await start({}, { consumerKey: SIGNER_A.consumerKey, publicKey: PUBLIC_KEYS.a })
    // Same consumer key and certificate as org A: only the user tells the orgs apart.
    const shared = { ...SIGNER_B, consumerKey: SIGNER_A.consumerKey, privateKey: SIGNER_A.privateKey }
    const b = await requestToken(emulator.url, shared)
    expect(b.status).toBe(200)
    expect(b.body.instance_url).toBe(orgB.instanceUrl)
  })

  it('refuses a second org with a username, or an org Id, already taken, or a malformed org Id', async () => {
    const { emulator, orgB } = await start()
    const again = { consumerKey: 'other', publicKey: '' }
    await expect(emulator.addOrg({ ...again, username: SIGNER_B.username.toUpperCase() })).rejects.toThrow(/username/i)
    await expect(emulator.addOrg({ ...again, username: 'c@org-c.example', orgId: orgB.orgId })).rejects.toThrow(
      /org Id/,
    )
    await expect(emulator.addOrg({ ...again, username: 'c@org-c.example', orgId: '001000000000001' })).rejects.toThrow(
      /org Id/,
    )
    await expect(
      emulator.addOrg({ ...again, username: 'c@org-c.example', orgId: '00D5e000003TIrBAAA' }),
    ).rejects.toThrow(/org Id/)
    expect(emulator.orgs()).toHaveLength(2)
  })
})

describe("an org's token reaches its own org only", () => {
  const catalog = [{ Name: 'Widget', ProductCode: 'W-1', Qty_In_Stock__c: 1 }]

  it("reads its own org's records, never the other's, and Ids differ between orgs", async () => {
    const { emulator, orgA, orgB } = await start({ products: catalog }, { products: [...catalog, { Name: 'Gadget' }] })
    const a = await signIn(emulator.url, SIGNER_A)
    const b = await signIn(emulator.url, SIGNER_B)
    const inA = await query(a.instanceUrl, a.token, `SELECT Id, Name FROM ${PRODUCT_OBJECT}`)
    const inB = await query(b.instanceUrl, b.token, `SELECT Id, Name FROM ${PRODUCT_OBJECT}`)
    expect(inA.body.records.map((r: { Name: string }) => r.Name)).toEqual(['Widget'])
    expect(inB.body.records.map((r: { Name: string }) => r.Name)).toEqual(['Widget', 'Gadget'])
    expect(orgA.records()[0]?.Id).not.toBe(orgB.records()[0]?.Id)

    const idInB = orgB.records()[0]?.Id
    const update = await rest(a.instanceUrl, a.token, 'PATCH', `sobjects/${PRODUCT_OBJECT}/${idInB}`, {
      Qty_In_Stock__c: 9,
    })
    expect(update.status).toBe(404)
    expect(orgB.records()[0]?.Qty_In_Stock__c).toBe(1)
  })

  it("publishes events into its own org, by its own org's user", async () => {
    const { emulator, orgA, orgB } = await start()
    const a = await signIn(emulator.url, SIGNER_A)
    const b = await signIn(emulator.url, SIGNER_B)
    expect((await publish(a.instanceUrl, a.token, 'SKU-A', 3)).body[0]).toMatchObject({ success: true })
    expect((await publish(b.instanceUrl, b.token, 'SKU-B', 4)).body[0]).toMatchObject({ success: true })
    expect(orgA.events().map((event) => event.fields)).toEqual([{ SKU__c: 'SKU-A', Qty_In_Stock__c: 3 }])
    expect(orgB.events().map((event) => event.fields)).toEqual([{ SKU__c: 'SKU-B', Qty_In_Stock__c: 4 }])
    expect(orgB.events()[0]).toMatchObject({ replayId: 1 })
    expect(orgA.events()[0]?.createdById).not.toBe(orgB.events()[0]?.createdById)
  })

  it("is refused with 401 INVALID_SESSION_ID on the other org's instance host, which changes nothing there", async () => {
    const { emulator, orgB } = await start()
    const a = await signIn(emulator.url, SIGNER_A)
    const refused = await publish(orgB.instanceUrl, a.token, 'SKU-A', 3)
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toBe('Token')
    expect(refused.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }])
    expect(orgB.events()).toEqual([])
  })

  it('opens sessions of other users in an org, whose tokens stay in that org', async () => {
    const { emulator, orgB } = await start()
    const session = orgB.openSession('flow.user@org-b.example')
    expect(session).toMatchObject({ orgId: orgB.orgId, instanceUrl: orgB.instanceUrl })
    expect((await query(orgB.instanceUrl, session.accessToken, 'SELECT Id FROM Product2')).status).toBe(200)
    expect((await query(emulator.instanceUrl, session.accessToken, 'SELECT Id FROM Product2')).status).toBe(401)
  })

  it('works with jsforce: the user info names the org signed in to', async () => {
    const { Connection, OAuth2 } = await import('@jsforce/jsforce-node')
    const { emulator, orgB } = await start()
    const conn = new Connection({ version: '62.0', oauth2: new OAuth2({ loginUrl: emulator.url }) })
    const userInfo = await conn.authorize({ grant_type: JWT_BEARER, assertion: assertion(SIGNER_B) })
    expect(userInfo.organizationId).toBe(orgB.orgId)
    expect(conn.instanceUrl).toBe(orgB.instanceUrl)
  })
})
