// /healthz is open to anyone: it reports codes and counts, never Salesforce's words, and says when events are late.
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { authHeaders, engines, sharedDatabaseUrlFor } from './helper.js'
import { selectRows } from './support/database-rows.js'
import { startSalesforceTestbed } from './support/salesforce-app.js'

/** One stock change, and one attempt to publish its event. */
async function orderAndTryToPublish(app: FastifyInstance) {
  await app.inject({
    method: 'POST',
    url: '/orders',
    headers: authHeaders,
    payload: { items: [{ productId: 2, quantity: 1 }] },
  })
  await app.salesforce?.publisher.publishDue()
}

describe.each(engines)('/healthz on %s', (engine) => {
  it("shows a publish failure as a stable code only; Salesforce's text goes to the log", async () => {
    const testbed = await startSalesforceTestbed()
    const app = await testbed.startApp(await sharedDatabaseUrlFor(engine))
    testbed.emulator.failNextTokenRequests(5)
    await orderAndTryToPublish(app)

    const health = await app.inject({ url: '/healthz' })
    expect(health.json().salesforce).toMatchObject({ configured: true, pendingEvents: 1, lastError: 'SALESFORCE_AUTH' })
    expect(health.body).not.toMatch(/approved|consumer|invalid_grant/)
    expect(testbed.logs.join('')).toContain("user hasn't approved this consumer")
  })

  it('reports "degraded" (still 200) once an event has waited more than 5 minutes, and "ok" after it left', async () => {
    const testbed = await startSalesforceTestbed()
    const databaseUrl = await sharedDatabaseUrlFor(engine)
    const app = await testbed.startApp(databaseUrl)
    testbed.emulator.setDown(true)
    await orderAndTryToPublish(app)
    expect((await app.inject({ url: '/healthz' })).json().status).toBe('ok')

    const tenMinutesAgo = new Date(Date.now() - 600_000).toISOString()
    await selectRows(databaseUrl, `update stock_events set created_at = '${tenMinutesAgo}'`)
    const late = await app.inject({ url: '/healthz' })
    expect(late.statusCode).toBe(200)
    expect(late.json()).toMatchObject({ status: 'degraded', database: 'ok' })
    expect(late.json().salesforce.oldestPendingSeconds).toBeGreaterThanOrEqual(600)

    testbed.emulator.setDown(false)
    for (
      let round = 0;
      round < 50 && (await app.inject({ url: '/healthz' })).json().salesforce.pendingEvents > 0;
      round++
    ) {
      await app.salesforce?.publisher.publishDue()
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    const recovered = (await app.inject({ url: '/healthz' })).json()
    expect(recovered).toMatchObject({ status: 'ok', salesforce: { pendingEvents: 0 } })
    expect(recovered.salesforce.oldestPendingSeconds).toBeUndefined()
  })
})
