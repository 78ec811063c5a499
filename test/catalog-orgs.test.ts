// The catalog following Salesforce with two orgs in the registry: one is the catalog's master, the other only
// receives; each has its own subscription, and one org's failing stream never stalls the other's changes.
import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { DEMO_SKUS } from '../src/catalog/demo-catalog.js'
import { createLogger } from '../src/logger.js'
import { addOrg } from '../src/orgs/service.js'
import { startPubSubStandIn } from '../tools/pubsub-stand-in/index.js'
import { authHeaders, databaseUrlFor, engines, openTestDatabase, registerCleanup, testConfig } from './helper.js'
import { bySku, products, waitFor } from './support/catalog-testbed.js'
import { PUBLIC_KEYS, SIGNER_A, SIGNER_B, startTwoOrgs } from './support/emulated-orgs.js'
import { trustedPubSubCa } from './support/trusted-pubsub-ca.js'

const demoProducts = (prefix: string) =>
  DEMO_SKUS.map((sku, index) => ({
    Name: `${prefix} ${index + 1}`,
    ProductCode: sku,
    IsActive: true,
    standardPrice: 5,
  }))

describe.each(engines)('the catalog following one org of several (%s)', (engine) => {
  it("takes the master's products, settles the other org's stock edits, and keeps one org's failing stream from the other", async () => {
    const { emulator, orgA, orgB } = await startTwoOrgs(
      { products: demoProducts('From A') },
      { publicKey: PUBLIC_KEYS.a, products: demoProducts('From B') },
    )
    registerCleanup(() => emulator.close())
    const pubsub = await startPubSubStandIn({ emulator, ca: trustedPubSubCa() })
    registerCleanup(() => pubsub.close())
    const db = await openTestDatabase(await databaseUrlFor(engine), { seedDemoData: false })
    const signIn = (signer: typeof SIGNER_A) => ({
      loginUrl: emulator.url,
      username: signer.username,
      consumerKey: signer.consumerKey,
    })
    await addOrg(db, { orgId: orgA.orgId, name: 'Org A', signIn: signIn(SIGNER_A) })
    await addOrg(db, { orgId: orgB.orgId, name: 'Org B', signIn: signIn(SIGNER_B) })
    const config = testConfig({
      DATABASE_URL: 'sqlite::memory:',
      SF_PRIVATE_KEY: SIGNER_A.privateKey,
      SF_TIMEOUT_MS: '2000',
      SF_CATALOG_FROM_SALESFORCE: 'true',
      SF_CATALOG_MASTER_ORG: orgA.orgId.slice(0, 15),
      SF_PUBSUB_ENDPOINT: pubsub.endpoint,
    })
    const app = await buildApp(config, { db, logger: createLogger('silent') })
    registerCleanup(() => app.close())
    await app.ready()

    // Org A's products are the catalog; org B's names never appear.
    const catalog = await waitFor(
      'the import',
      () => products(app),
      (list) => list.length === 12,
      15_000,
    )
    expect(catalog.every((p) => p.name.startsWith('From A'))).toBe(true)
    const live = () =>
      waitFor(
        'both orgs live',
        async () => (await app.inject({ url: '/healthz' })).json().catalogSync.orgs,
        (orgs: { state: string }[]) => orgs.length === 2 && orgs.every((org) => org.state === 'live'),
        10_000,
      )
    expect(await live()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ org: orgA.orgId, master: true }),
        expect.objectContaining({ org: orgB.orgId, master: false }),
      ]),
    )

    // A rename in org B changes nothing; a person's stock edit there is put back to flowcart's level.
    const tent = catalog.find((p) => p.sku === 'FC-TENT-2P') as { id: number }
    await app.inject({
      method: 'PUT',
      url: `/inventory/${tent.id}`,
      headers: authHeaders,
      payload: { quantityInStock: 9 },
    })
    const inB = () =>
      orgB.records().find((r) => r.ProductCode === 'FC-TENT-2P') as { Id: string; Qty_In_Stock__c?: number | null }
    orgB.updateRecord(inB().Id, { Name: 'Renamed in B', Qty_In_Stock__c: 500 })
    await waitFor(
      'the overwrite in org B',
      async () => inB().Qty_In_Stock__c,
      (qty) => qty === 9,
      10_000,
    )
    expect((await bySku(app, 'FC-TENT-2P'))?.name).toBe('From A 1')

    // Org B's stream fails and cannot come back (its session gone, its sign-in refused); org A's changes still arrive within seconds.
    orgB.refuseTokens(true)
    orgB.expireAllTokens()
    pubsub.failStreams()
    const inA = orgA.records().find((r) => r.ProductCode === 'FC-BAG-0C') as { Id: string }
    orgA.updateRecord(inA.Id, { Name: 'Renamed in A while B fails' })
    await waitFor(
      'the master’s change',
      () => bySku(app, 'FC-BAG-0C'),
      (p) => p?.name === 'Renamed in A while B fails',
      10_000,
    )
    // Org A is live again (its stream failed too, and came back) while org B keeps retrying.
    await waitFor(
      'org A live while org B retries',
      async () => (await app.inject({ url: '/healthz' })).json().catalogSync.orgs as { org: string; state: string }[],
      (all) =>
        all.find((org) => org.org === orgA.orgId)?.state === 'live' &&
        all.find((org) => org.org === orgB.orgId)?.state === 'retrying',
      10_000,
    )
    orgB.refuseTokens(false)
    await live()
  })
})
