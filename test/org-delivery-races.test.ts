// Races between dispatchers over one outbox: a claim that stalled while another dyno published, a dyno that has not
// yet seen an org the registry already has, and the superseding and settling of one product's rows at once.
import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { DEMO_SKUS } from '../src/catalog/demo-catalog.js'
import type { Database } from '../src/db/connect.js'
import { createLogger } from '../src/logger.js'
import { addOrg } from '../src/orgs/service.js'
import { claimDueFor, markDelivered } from '../src/outbox/deliveries.js'
import { recordStockChanges } from '../src/outbox/outbox-rows.js'
import { pendingEvents, supersedeOlderChanges } from '../src/outbox/repository.js'
import {
  authHeaders,
  databaseUrlFor,
  engines,
  openTestDatabase,
  registerCleanup,
  sharedDatabaseUrlFor,
  testConfig,
} from './helper.js'
import { PUBLIC_KEYS, SIGNER_A, SIGNER_B, startTwoOrgs } from './support/emulated-orgs.js'

const change = (db: Database, quantity: number) =>
  recordStockChanges(db.kysely, [{ productId: 1, sku: 'FC-TENT-2P', quantityInStock: quantity }])

/** `db`, with its next insert held until `open()`: a dyno that stalls between reading a claim and leasing it. */
function stallingBeforeInsert(db: Database) {
  let open = () => {}
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  let reached = () => {}
  const atGate = new Promise<void>((resolve) => {
    reached = resolve
  })
  const kysely = new Proxy(db.kysely, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (property !== 'insertInto') return typeof value === 'function' ? value.bind(target) : value
      return (table: 'stock_deliveries') => {
        const insert = target.insertInto(table)
        return new Proxy(insert, {
          get(builder, name) {
            const method = Reflect.get(builder, name)
            if (name !== 'values') return typeof method === 'function' ? method.bind(builder) : method
            return (...args: Parameters<typeof insert.values>) => {
              const query = insert.values(...args)
              return new Proxy(query, {
                get(q, key) {
                  const member = Reflect.get(q, key)
                  if (key === 'onConflict') {
                    return (...conflict: Parameters<typeof query.onConflict>) => {
                      const upsert = query.onConflict(...conflict)
                      return {
                        returning: (...columns: Parameters<typeof upsert.returning>) => ({
                          execute: async () => {
                            reached()
                            await gate
                            return upsert.returning(...columns).execute()
                          },
                        }),
                      }
                    }
                  }
                  return typeof member === 'function' ? member.bind(q) : member
                },
              })
            }
          },
        })
      }
    },
  })
  return { db: { ...db, kysely } as Database, open, atGate }
}

describe.each(engines)('dispatchers racing on %s', (engine) => {
  it('a claim read before another dyno published a newer change does not lease the older one', async () => {
    const db = await openTestDatabase(await databaseUrlFor(engine))
    await change(db, 5)
    const stalled = stallingBeforeInsert(db)
    const claimA = claimDueFor(stalled.db, 'default', 200, 15_000)
    await stalled.atGate
    // Meanwhile another dyno publishes that change, then a newer one.
    for (const quantity of [undefined, 4]) {
      if (quantity !== undefined) await change(db, quantity)
      const claimed = await claimDueFor(db, 'default', 200, 15_000)
      await markDelivered(
        db,
        'default',
        claimed.map((e) => ({ productId: e.product_id, upToId: e.id })),
        ['default'],
      )
    }
    stalled.open()
    // The org has 4: the stalled dyno leases nothing, so it cannot send 5 last.
    expect(await claimA).toEqual([])
  })
})

describe.each(engines)('an org the registry has and a dyno has not seen yet, on %s', (engine) => {
  it('still receives the changes that dyno publishes to the other orgs', async () => {
    const { emulator, orgA, orgB } = await startTwoOrgs(
      { products: DEMO_SKUS.map((sku) => ({ Name: sku, ProductCode: sku })) },
      { publicKey: PUBLIC_KEYS.a },
    )
    registerCleanup(() => emulator.close())
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const db = await openTestDatabase(databaseUrl)
    const config = testConfig({
      DATABASE_URL: databaseUrl,
      SF_LOGIN_URL: emulator.url,
      SF_CONSUMER_KEY: SIGNER_A.consumerKey,
      SF_USERNAME: SIGNER_A.username,
      SF_PRIVATE_KEY: SIGNER_A.privateKey,
    })
    const start = async () => {
      const app = await buildApp(config, { logger: createLogger('silent'), publisherOptions: { pollIntervalMs: 500 } })
      registerCleanup(() => app.close())
      await app.ready()
      return app
    }
    // Dyno A knows only the default org; org B is registered after it started, and dyno B starts knowing it.
    const dynoA = await start()
    await addOrg(db, {
      orgId: orgB.orgId,
      name: 'Org B',
      signIn: { loginUrl: emulator.url, username: SIGNER_B.username, consumerKey: SIGNER_B.consumerKey },
    })
    await start()
    const placed = await dynoA.inject({
      method: 'POST',
      url: '/orders',
      headers: authHeaders,
      payload: { items: [{ productId: 7, quantity: 1 }] },
    })
    expect(placed.statusCode).toBe(201)
    const arrived = (org: typeof orgA) => org.events().some((event) => event.fields.Product_Id__c === 7)
    const since = Date.now()
    while (!(arrived(orgA) && arrived(orgB)) && Date.now() - since < 4000) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    expect(arrived(orgA)).toBe(true)
    expect(arrived(orgB)).toBe(true)
  })
})

describe.runIf(engines.includes('postgres'))('superseding and settling one product at once on postgres', () => {
  it('leaves no change unsent for good', async () => {
    const db = await openTestDatabase(await databaseUrlFor('postgres'))
    await change(db, 5)
    await change(db, 4)
    let open = () => {}
    const gate = new Promise<void>((resolve) => {
      open = resolve
    })
    let reached = () => {}
    const atGate = new Promise<void>((resolve) => {
      reached = resolve
    })
    // The superseding holds the older change locked, as superseded, until its commit.
    const holding: Database = {
      ...db,
      transact: (work) =>
        db.transact(async (trx) => {
          const result = await work(trx)
          reached()
          await gate
          return result
        }),
    }
    const superseding = supersedeOlderChanges(holding, 0, 2)
    await atGate
    const claimed = await claimDueFor(db, 'default', 200, 15_000)
    expect(claimed.map((event) => event.quantity_in_stock)).toEqual([4])
    const settling = markDelivered(db, 'default', [{ productId: 1, upToId: claimed[0]?.id ?? 0 }], ['default'])
    await new Promise((resolve) => setTimeout(resolve, 200))
    open()
    await Promise.all([superseding, settling])
    expect((await pendingEvents(db.kysely)).count).toBe(0)
  })
})
