// A dyno killed in the middle of publishing leaves leased events behind; at the default settings another dyno (or
// the restarted one) publishes them well within 30 s.
import { describe, expect, it } from 'vitest'
import { authHeaders, type EngineName, engines, sharedDatabaseUrlFor } from './helper.js'
import { selectRows } from './support/database-rows.js'
import { CONSUMER_KEY, INTEGRATION_USER, startSalesforceTestbed } from './support/salesforce-app.js'
import { startServer } from './support/server-process.js'

async function until<T>(read: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Kills a dyno while it publishes, starts another on the same database, and returns the event that arrives. */
async function crashWhilePublishing(engine: EngineName) {
  const { emulator, privateKey } = await startSalesforceTestbed()
  const databaseUrl = await sharedDatabaseUrlFor(engine)
  // Every setting at its default but the ones that point at the emulator.
  const env = {
    DATABASE_URL: databaseUrl,
    SF_LOGIN_URL: emulator.url,
    SF_CONSUMER_KEY: CONSUMER_KEY,
    SF_USERNAME: INTEGRATION_USER,
    SF_PRIVATE_KEY: privateKey,
  }
  const first = await startServer(env)
  emulator.setLatency(120_000)
  const placed = await fetch(`${first.url}/orders`, {
    method: 'POST',
    headers: { ...authHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ productId: 3, quantity: 2 }] }),
  })
  expect(placed.status).toBe(201)

  // The first dyno has claimed the event and is waiting on Salesforce: kill it there.
  const [claimed] = await until(async () => {
    const rows = await selectRows<{ claimed_until: string | Date | null }>(
      databaseUrl,
      'select claimed_until from stock_deliveries where claimed_until is not null',
    )
    return rows.length > 0 ? rows : undefined
  }, 10_000)
  first.child.kill('SIGKILL')
  await first.exited
  const leaseLeft = new Date(claimed?.claimed_until as string).getTime() - Date.now()
  expect(leaseLeft).toBeLessThanOrEqual(15_000)

  emulator.setLatency(0)
  const second = await startServer(env)
  const [event] = await until(async () => (emulator.events().length > 0 ? emulator.events() : undefined), 40_000)
  expect(event?.fields).toEqual({ Product_Id__c: 3, SKU__c: 'FC-PAD-R4', Qty_In_Stock__c: 58 })
  // Salesforce has the event a moment before the dyno hears back and records it sent: read the count once it has.
  const pending = async () =>
    ((await (await fetch(`${second.url}/healthz`)).json()) as { salesforce: { pendingEvents: number } }).salesforce
      .pendingEvents
  const settled = await until(async () => ((await pending()) === 0 ? 0 : undefined), 10_000).catch(() => pending())
  expect(settled).toBe(0)
}

describe('outbox after a crash', () => {
  // The engines run side by side: the test waits out a lease, it does not work.
  it(`publishes the events a killed dyno had claimed once its short lease ends (${engines.join(', ')})`, async () => {
    await Promise.all(engines.map(crashWhilePublishing))
  }, 60_000)
})
