// The change-event subscriber as processes show it: two server processes on one PostgreSQL never hold two streams for
// one org, and the survivor takes over within 30 s of `kill -9`; and a process killed in the middle of a burst of
// 1,000 changes, started again, applies every change exactly once (counted in the applied events, kept in each
// change's own transaction). Each process trusts the stand-in through NODE_EXTRA_CA_CERTS, as a dyno would.
import { describe, expect, it } from 'vitest'
import { startPubSubStandIn } from '../tools/pubsub-stand-in/index.js'
import { authHeaders, createPostgresDatabase, engines, sharedDatabaseUrlFor } from './helper.js'
import { waitFor } from './support/catalog-testbed.js'
import { selectRows } from './support/database-rows.js'
import { CONSUMER_KEY, INTEGRATION_USER, startSalesforceTestbed } from './support/salesforce-app.js'
import { startServer } from './support/server-process.js'
import { trustedPubSubCa } from './support/trusted-pubsub-ca.js'

const PRODUCT_TOPIC = '/data/Product2ChangeEvent'

async function setUp(databaseUrl: string) {
  const testbed = await startSalesforceTestbed()
  const { emulator } = testbed
  for (const record of emulator.records()) emulator.setStandardPrice(record.Id as string, 10)
  const pubsub = await startPubSubStandIn({ emulator, ca: trustedPubSubCa() })
  const env = {
    DATABASE_URL: databaseUrl,
    SF_LOGIN_URL: emulator.url,
    SF_CONSUMER_KEY: CONSUMER_KEY,
    SF_USERNAME: INTEGRATION_USER,
    SF_PRIVATE_KEY: testbed.privateKey,
    SF_CATALOG_FROM_SALESFORCE: 'true',
    SF_PUBSUB_ENDPOINT: pubsub.endpoint,
  }
  const start = () => startServer(env)
  const state = async (url: string) => {
    const response = await fetch(`${url}/healthz`).catch(() => undefined)
    return response ? ((await response.json()) as { catalogSync?: { orgs: { state: string }[] } }) : undefined
  }
  return { emulator, pubsub, start, state }
}

describe.skipIf(!engines.includes('postgres'))('two processes on one PostgreSQL', () => {
  it('never hold two streams for one org, and the survivor takes over within 30 s of kill -9', async () => {
    const databaseUrl = await createPostgresDatabase()
    const { emulator, pubsub, start } = await setUp(databaseUrl)
    const orgId = emulator.orgId
    // Every 10 ms, the streams the org has open: one process holds both topics, never more.
    let most = 0
    const sampler = setInterval(() => {
      most = Math.max(most, pubsub.openStreams(orgId))
    }, 10)
    try {
      const first = await start()
      const second = await start()
      await waitFor(
        'both topics streaming',
        async () => pubsub.openStreams(orgId),
        (open) => open === 2,
        20_000,
      )
      await new Promise((resolve) => setTimeout(resolve, 6000))
      const [lease] = await selectRows<{ holder: string }>(
        databaseUrl,
        "select holder from pubsub_subscribers where org_key = 'default'",
      )
      const holder = [first, second].find((server) => lease?.holder.includes(`:${server.child.pid}:`))
      const survivor = holder === first ? second : first
      expect(holder).toBeDefined()

      const killedAt = Date.now()
      holder?.child.kill('SIGKILL')
      await holder?.exited
      const record = emulator.records().find((r) => r.ProductCode === 'FC-TENT-2P') as { Id: string }
      emulator.updateRecord(record.Id, { Name: 'Changed while nobody streamed' })
      await waitFor(
        'the survivor streaming',
        async () => pubsub.openStreams(orgId),
        (open) => open === 2,
        30_000,
      )
      const product = await waitFor(
        'the change at the survivor',
        async () => {
          const list = (await (await fetch(`${survivor.url}/products`, { headers: authHeaders })).json()) as {
            sku: string
            name: string
          }[]
          return list.find((p) => p.sku === 'FC-TENT-2P')
        },
        (p) => p?.name === 'Changed while nobody streamed',
        30_000 - (Date.now() - killedAt),
      )
      expect(product?.name).toBe('Changed while nobody streamed')
      expect(Date.now() - killedAt).toBeLessThan(30_000)
      expect(most).toBe(2)
    } finally {
      clearInterval(sampler)
      await pubsub.close()
    }
  }, 90_000)
})

describe.each(engines)('a process killed in the middle of a burst (%s)', (engine) => {
  it('applies each of 1,000 changes exactly once after a restart', async () => {
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const { emulator, pubsub, start, state } = await setUp(databaseUrl)
    try {
      const first = await start()
      await waitFor(
        'a live stream',
        async () => (await state(first.url))?.catalogSync?.orgs[0]?.state,
        (s) => s === 'live',
        20_000,
      )
      const records = emulator.records().map((r) => r.Id as string)
      const before = pubsub.events(emulator.orgId, PRODUCT_TOPIC).length
      // One event per response: the burst takes long enough to be cut in its middle.
      pubsub.setDeliveryDelay(1)
      for (let i = 0; i < 1000; i++) {
        emulator.updateRecord(records[i % records.length] as string, { Name: `Burst ${i}` })
      }
      const burst = pubsub.events(emulator.orgId, PRODUCT_TOPIC).slice(before)
      expect(burst).toHaveLength(1000)
      const ids = burst.map((event) => `'${event.id}'`).join(', ')
      const applied = async () =>
        Number(
          (
            await selectRows<{ n: number | string }>(
              databaseUrl,
              `select count(*) as n from pubsub_applied_events where event_id in (${ids})`,
            )
          )[0]?.n,
        )
      await waitFor('part of the burst applied', applied, (n) => n >= 100, 30_000)
      first.child.kill('SIGKILL')
      await first.exited
      const cut = await applied()
      expect(cut).toBeLessThan(1000)

      pubsub.setDeliveryDelay(0)
      const second = await start()
      await waitFor('the whole burst applied', applied, (n) => n === 1000, 30_000)
      // Exactly once: each of the 1,000 event ids is recorded once (its primary key), in the transaction that applied
      // it, and no event outside the burst was applied twice either.
      const [{ n: total } = { n: 0 }] = await selectRows<{ n: number | string }>(
        databaseUrl,
        'select count(*) as n from pubsub_applied_events',
      )
      const [{ n: distinct } = { n: 0 }] = await selectRows<{ n: number | string }>(
        databaseUrl,
        'select count(distinct event_id) as n from pubsub_applied_events',
      )
      expect(Number(total)).toBe(Number(distinct))
      // It resumed after the stored replay id rather than importing again.
      expect(second.output()).not.toContain('the stored replay id was refused')
      // And the catalog holds each product's last name.
      const list = (await (await fetch(`${second.url}/products`, { headers: authHeaders })).json()) as {
        sku: string
        name: string
      }[]
      for (const [index, id] of records.entries()) {
        const sku = emulator.records().find((r) => r.Id === id)?.ProductCode
        const last = index + records.length * Math.floor((999 - index) / records.length)
        expect(list.find((p) => p.sku === sku)?.name).toBe(`Burst ${last}`)
      }
      console.info(
        `${engine}: killed after ${cut} of 1,000 changes were applied; the restart applied the other ${1000 - cut}`,
      )
    } finally {
      await pubsub.close()
    }
  }, 120_000)
})
