// AppLink mode with several connections: each org's events go through that org's own AppLink authorization from the
// registry; an org without one gets none.
import { describe, expect, it } from 'vitest'
import { addOrg } from '../src/orgs/service.js'
import type { SalesforceOrg } from '../tools/salesforce-emulator/index.js'
import { engines, openTestDatabase, sharedDatabaseUrlFor } from './helper.js'
import { startAppLinkTestbed } from './support/applink-app.js'

const ORG_B = { orgId: '00D5g000008OrgBEAS', authorization: 'org_b_events', user: 'events@org-b.example' }
const ORG_C = '00D5g000004XyZa'

async function quantityArrives(org: SalesforceOrg, productId: number, quantity: number, withinMs: number) {
  const since = Date.now()
  for (;;) {
    const latest = org
      .events()
      .filter((event) => event.fields.Product_Id__c === productId)
      .at(-1)
    if (latest?.fields.Qty_In_Stock__c === quantity) return latest
    if (Date.now() - since > withinMs) throw new Error(`org ${org.orgId} did not get ${quantity} within ${withinMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe.each(engines)('AppLink mode with several orgs on %s', (engine) => {
  it('publishes to each org through its own authorization, and to an org without one not at all', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const db = await openTestDatabase(databaseUrl)
    await addOrg(db, { orgId: ORG_B.orgId, name: 'Org B', appLinkAuthorization: ORG_B.authorization })
    const c = await addOrg(db, { orgId: ORG_C, name: 'Org C' })
    const { call, emulator, orgB, app } = await startAppLinkTestbed(engine, { DATABASE_URL: databaseUrl }, ORG_B)
    if (!orgB) throw new Error('the second org was not started')

    const placed = await call('/orders', {
      method: 'POST',
      body: JSON.stringify({ items: [{ productId: 2, quantity: 3 }] }),
    })
    expect(placed.status).toBe(201)
    const product = (await (await call('/products/2')).json()) as { quantityInStock: number }
    const quantity = product.quantityInStock
    await quantityArrives(emulator, 2, quantity, 3000)
    const inB = await quantityArrives(orgB, 2, quantity, 3000)
    // Published in org B as the user its own authorization signs in as.
    expect(inB.createdById).toBe(orgB.openSession(ORG_B.user).userId)
    expect(await app.salesforce?.figuresFor(ORG_B.orgId)).toMatchObject({ publishesVia: 'applink', token: 'valid' })
    expect(await app.salesforce?.figuresFor(c.org.orgId)).toBeUndefined()
  })
})
