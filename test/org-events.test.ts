// One catalog, several orgs: a stock change reaches every org that has a sign-in as its own Inventory_Update__e,
// signed in with one private key; an org that is down, slow, over its API limit or refusing the token delays no other
// org, and gets the latest quantity soon after it recovers.
import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { DEMO_SKUS } from '../src/catalog/demo-catalog.js'
import type { Database } from '../src/db/connect.js'
import { createLogger } from '../src/logger.js'
import { addOrg, type OrgLogin, setOrgStatus } from '../src/orgs/service.js'
import type { SalesforceOrg } from '../tools/salesforce-emulator/index.js'
import { basicAuth, databaseUrlFor, engines, openTestDatabase, registerCleanup, testConfig } from './helper.js'
import { ADMIN_ENV, adminHeaders } from './support/admin.js'
import { PUBLIC_KEYS, SIGNER_A, SIGNER_B, startTwoOrgs } from './support/emulated-orgs.js'

const demoProducts = () => DEMO_SKUS.map((sku, index) => ({ Name: `Product ${index + 1}`, ProductCode: sku }))

/** Two orgs in the registry with the same certificate on their apps, and flowcart with SF_PRIVATE_KEY alone. */
async function twoOrgsInStep(
  engine: 'sqlite' | 'postgres',
  publisher: { refusedRetryMaxMs?: number } = {},
  env: Record<string, string> = {},
) {
  const { emulator, orgA, orgB } = await startTwoOrgs(
    { products: demoProducts() },
    { publicKey: PUBLIC_KEYS.a, products: demoProducts() },
  )
  registerCleanup(() => emulator.close())
  const db = await openTestDatabase(await databaseUrlFor(engine))
  const signIn = (signer: typeof SIGNER_A) => ({
    loginUrl: emulator.url,
    username: signer.username,
    consumerKey: signer.consumerKey,
  })
  const a = await addOrg(db, { orgId: orgA.orgId, name: 'Org A', signIn: signIn(SIGNER_A) })
  const b = await addOrg(db, { orgId: orgB.orgId, name: 'Org B', signIn: signIn(SIGNER_B) })
  const config = testConfig({
    DATABASE_URL: 'sqlite::memory:',
    SF_PRIVATE_KEY: SIGNER_A.privateKey,
    SF_TIMEOUT_MS: '1000',
    ...env,
  })
  // Every publishing setting at its default, but the wait after the daily API limit (5 minutes), shortened here.
  const app = await buildApp(config, { db, logger: createLogger('silent'), publisherOptions: publisher })
  registerCleanup(() => app.close())
  await app.ready()
  return { app, db, orgA, orgB, a, b }
}

type App = Awaited<ReturnType<typeof twoOrgsInStep>>['app']

const as = (login: OrgLogin) => ({ authorization: basicAuth(login.org.username, login.password) })

async function placeOrder(app: App, login: OrgLogin, productId: number) {
  const placed = await app.inject({
    method: 'POST',
    url: '/orders',
    headers: as(login),
    payload: { items: [{ productId, quantity: 1 }] },
  })
  expect(placed.statusCode).toBe(201)
  const product = await app.inject({ url: `/products/${productId}`, headers: as(login) })
  return product.json().quantityInStock as number
}

/** The quantity of `productId` in the latest event the org received. */
const latestQuantity = (org: SalesforceOrg, productId: number) =>
  org
    .events()
    .filter((event) => event.fields.Product_Id__c === productId)
    .at(-1)?.fields.Qty_In_Stock__c

/** Milliseconds until the org's latest event for `productId` carries `quantity`; fails after `withinMs`. */
async function arrival(org: SalesforceOrg, productId: number, quantity: number, withinMs: number) {
  const since = Date.now()
  while (latestQuantity(org, productId) !== quantity) {
    if (Date.now() - since > withinMs) {
      throw new Error(`org ${org.orgId} did not get quantity ${quantity} of product ${productId} within ${withinMs} ms`)
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return Date.now() - since
}

type Fault = { name: string; on(org: SalesforceOrg): void; off(org: SalesforceOrg): void }
const faults: Fault[] = [
  { name: 'down', on: (org) => org.setDown(true), off: (org) => org.setDown(false) },
  // Past SF_TIMEOUT_MS (1 s here): every call times out.
  { name: 'slow', on: (org) => org.setLatency(5000), off: (org) => org.setLatency(0) },
  {
    name: 'over its API limit',
    on: (org) => org.setApiLimit(org.limits().apiUsage),
    off: (org) => org.setApiLimit(1_000_000),
  },
  {
    name: 'refusing the token',
    on: (org) => {
      org.refuseTokens(true)
      org.expireAllTokens()
    },
    off: (org) => org.refuseTokens(false),
  },
]

describe.each(engines)('stock events to several orgs on %s', (engine) => {
  it('publishes a stock change to every org, each with its own token, within 3 s', async () => {
    const { app, orgA, orgB, a, b } = await twoOrgsInStep(engine)
    const quantity = await placeOrder(app, a, 1)
    await arrival(orgA, 1, quantity, 3000)
    await arrival(orgB, 1, quantity, 3000)
    // An order from org B changes the one shared stock, and org A hears of it too.
    const after = await placeOrder(app, b, 1)
    expect(after).toBe(quantity - 1)
    await Promise.all([arrival(orgA, 1, after, 3000), arrival(orgB, 1, after, 3000)])
    expect(orgA.counters().tokenRequests).toBe(1)
    expect(orgB.counters().tokenRequests).toBe(1)
    // Each event went to one org only, from that org's own integration user.
    for (const org of [orgA, orgB]) {
      const users = new Set(org.events().map((event) => event.createdById))
      expect(users.size).toBe(1)
    }
  })

  for (const fault of faults) {
    it(`keeps the other org in step while one is ${fault.name}, and catches it up within 15 s of recovering`, async () => {
      const { app, orgA, orgB, a } = await twoOrgsInStep(engine, { refusedRetryMaxMs: 5000 })
      const first = await placeOrder(app, a, 2)
      await Promise.all([arrival(orgA, 2, first, 3000), arrival(orgB, 2, first, 3000)])

      fault.on(orgB)
      let latest = first
      // Changes keep coming while org B fails: org A gets each within 2 s, and org B's failures pile up backoff.
      for (let change = 0; change < 4; change++) {
        latest = await placeOrder(app, a, 2)
        expect(await arrival(orgA, 2, latest, 2000)).toBeLessThanOrEqual(2000)
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
      expect(latestQuantity(orgB, 2)).not.toBe(latest)

      fault.off(orgB)
      // Nothing changes after the recovery: org B's retry finds it answering again.
      expect(await arrival(orgB, 2, latest, 15_000)).toBeLessThanOrEqual(15_000)
    }, 40_000)
  }

  it('getInventory writes the stock only into the calling org, with that org’s own Product2 Ids', async () => {
    const { app, db, orgA, orgB, a } = await twoOrgsInStep(engine)
    const before = orgB.records().map((record) => record.Qty_In_Stock__c)
    const synced = await app.inject({ url: '/inventory?productId=3', headers: as(a) })
    expect(synced.statusCode).toBe(200)
    expect(synced.json()).toMatchObject([{ productId: 3, salesforceSync: { status: 'updated' } }])
    const stockOf = (org: SalesforceOrg) => org.records().find((record) => record.ProductCode === DEMO_SKUS[2])
    expect(stockOf(orgA)?.Qty_In_Stock__c).toBe(synced.json()[0].quantityInStock)
    expect(orgB.records().map((record) => record.Qty_In_Stock__c)).toEqual(before)
    expect(await rememberedIds(db)).toEqual([{ org_key: orgA.orgId, product_id: 3, salesforce_id: stockOf(orgA)?.Id }])
    // The default login has no org to write into: SF_PRIVATE_KEY alone configures no default org.
    const unsynced = await app.inject({ url: '/inventory?productId=3', headers: { authorization: basicAuth() } })
    expect(unsynced.json()).toMatchObject([{ productId: 3, salesforceSync: { status: 'disabled' } }])
  })

  it('stops publishing to a disabled org within 5 s, and takes it up again when enabled', async () => {
    const { app, db, orgA, orgB, a, b } = await twoOrgsInStep(engine)
    await setOrgStatus(db, b.org.orgId, 'disabled')
    await new Promise((resolve) => setTimeout(resolve, 5500))
    const quantity = await placeOrder(app, a, 4)
    await arrival(orgA, 4, quantity, 3000)
    await app.salesforce?.publisher.publishDue()
    expect(latestQuantity(orgB, 4)).toBeUndefined()
    // A disabled org's own login is refused as well.
    expect((await app.inject({ url: '/products/4', headers: as(b) })).statusCode).toBe(401)

    await setOrgStatus(db, b.org.orgId, 'active')
    await new Promise((resolve) => setTimeout(resolve, 5500))
    const next = await placeOrder(app, a, 4)
    await Promise.all([arrival(orgA, 4, next, 3000), arrival(orgB, 4, next, 3000)])
  }, 30_000)
})

describe('the admin’s view of the orgs published to', () => {
  it('shows each org’s way in, token, last publish and what waits, and an org that gets no events as such', async () => {
    const { app, db, orgA, orgB, a } = await twoOrgsInStep('sqlite', {}, ADMIN_ENV)
    const c = await addOrg(db, { orgId: '00D5g000004XyZa', name: 'Org C' })
    const orgsNow = async () => {
      const answer = await app.inject({ url: '/admin/orgs', headers: adminHeaders })
      expect(answer.statusCode).toBe(200)
      return new Map((answer.json() as Array<{ orgKey: string }>).map((org) => [org.orgKey, org]))
    }
    const quantity = await placeOrder(app, a, 6)
    await Promise.all([arrival(orgA, 6, quantity, 3000), arrival(orgB, 6, quantity, 3000)])
    orgB.setDown(true)
    const next = await placeOrder(app, a, 6)
    await arrival(orgA, 6, next, 3000)
    await app.salesforce?.publisher.publishDue()

    const orgs = await orgsNow()
    expect(orgs.get(orgA.orgId)).toMatchObject({
      publishesVia: 'jwt',
      token: 'valid',
      eventsPending: 0,
      lastErrorCode: null,
      lastPublishedAt: expect.any(String),
    })
    expect(orgs.get(orgB.orgId)).toMatchObject({
      publishesVia: 'jwt',
      eventsPending: 1,
      lastErrorCode: 'SALESFORCE_UNAVAILABLE',
      oldestPendingSeconds: expect.any(Number),
    })
    expect(orgs.get(c.org.orgId)).toMatchObject({ publishesVia: 'none', token: 'none', eventsPending: 0 })
    // SF_PRIVATE_KEY alone: no default org is published to.
    expect(orgs.get('default')).toMatchObject({ publishesVia: 'none' })
  })
})

describe('an org dropped while it lacks changes', () => {
  it('leaves nothing pending for it: /healthz counts no backlog only a disabled org was owed', async () => {
    const { app, db, orgA, orgB, a, b } = await twoOrgsInStep('sqlite')
    orgB.setDown(true)
    const quantity = await placeOrder(app, a, 5)
    await arrival(orgA, 5, quantity, 3000)
    const pending = async () => (await app.inject({ url: '/healthz' })).json().salesforce.pendingEvents
    expect(await pending()).toBeGreaterThan(0)
    await setOrgStatus(db, b.org.orgId, 'disabled')
    const since = Date.now()
    while ((await pending()) > 0 && Date.now() - since < 7000) await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await pending()).toBe(0)
  }, 20_000)
})

function rememberedIds(db: Database) {
  return db.kysely.selectFrom('org_product_ids').select(['org_key', 'product_id', 'salesforce_id']).execute()
}
