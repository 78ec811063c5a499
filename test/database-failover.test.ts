// The real server on PostgreSQL, publishing to Salesforce, while every one of its database sessions is ended again
// and again (as a failover or a restart does): it stays up, loses no acknowledged order, and sells only what it took.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { authHeaders, createPostgresDatabase, postgresAvailable } from './helper.js'
import { selectRows } from './support/database-rows.js'
import { CONSUMER_KEY, INTEGRATION_USER, startSalesforceTestbed } from './support/salesforce-app.js'
import { startServer } from './support/server-process.js'

const PRODUCT = 4
const STOCK = 1_000_000
const TERMINATIONS = 5

/** Ends every session of the database but the caller's: what pg_terminate_backend or a cluster restart does. */
async function endSessions(databaseUrl: string): Promise<number> {
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  try {
    const { rows } = await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid()`,
    )
    return rows.length
  } finally {
    await admin.end()
  }
}

describe.skipIf(!postgresAvailable)('PostgreSQL failover under load', () => {
  it('keeps the process up, answers 503 only for the requests cut off, and loses no acknowledged order', async () => {
    const { emulator, privateKey } = await startSalesforceTestbed()
    const databaseUrl = await createPostgresDatabase()
    const server = await startServer({
      DATABASE_URL: databaseUrl,
      SF_LOGIN_URL: emulator.url,
      SF_CONSUMER_KEY: CONSUMER_KEY,
      SF_USERNAME: INTEGRATION_USER,
      SF_PRIVATE_KEY: privateKey,
      SF_PUBLISH_LINGER_MS: '20',
    })
    const post = (path: string, body: unknown, method = 'POST', key?: string) =>
      fetch(`${server.url}${path}`, {
        method,
        headers: { ...authHeaders, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        body: JSON.stringify(body),
      })
    expect((await post(`/inventory/${PRODUCT}`, { quantityInStock: STOCK }, 'PUT')).status).toBe(200)

    // Each client places orders with keys of its own, and retries a 503 with the same key, as the README says to.
    const answers = new Map<string, number>()
    const acknowledged = new Map<string, number>()
    let stop = false
    const client = async (name: string) => {
      for (let n = 0; !stop; n++) {
        const key = `${name}-${n}`
        for (let attempt = 0; attempt < 50; attempt++) {
          let status: string
          try {
            const response = await post('/orders', { items: [{ productId: PRODUCT, quantity: 2 }] }, 'POST', key)
            const body = (await response.json()) as { id: number; code?: string }
            status = response.status === 503 ? `503 ${body.code}` : String(response.status)
            if (response.status === 201) acknowledged.set(key, body.id)
          } catch (error) {
            status = `no answer: ${(error as Error).message}`
          }
          answers.set(status, (answers.get(status) ?? 0) + 1)
          if (!status.startsWith('503')) break
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      }
    }
    // Eight clients, five terminations: orders of several clients share a batch and its connection, and a
    // termination must find some of them under way, not only idle connections (which flowcart replaces unseen).
    const clients = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(client)

    const sessionsEnded: number[] = []
    let lastTermination = 0
    for (let round = 0; round < TERMINATIONS; round++) {
      await new Promise((resolve) => setTimeout(resolve, 700))
      sessionsEnded.push(await endSessions(databaseUrl))
      lastTermination = Date.now()
    }
    // Answering normally again: a new order is placed within 10 s of the last termination.
    let recovered = false
    while (!recovered && Date.now() - lastTermination < 10_000) {
      recovered = (await post('/orders', { items: [{ productId: PRODUCT, quantity: 1 }] })).status === 201
    }
    stop = true
    await Promise.all(clients)

    expect(server.child.exitCode).toBeNull()
    expect(sessionsEnded.every((count) => count > 0)).toBe(true)
    expect(recovered).toBe(true)
    // Nothing logged as a failure of flowcart's own (level 50 and above: unexpected errors, a dispatcher failing).
    const failures = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{') && JSON.parse(line).level >= 50)
    expect(failures).toEqual([])
    // Cut-off requests were answered 503 SERVICE_UNAVAILABLE; nothing else failed, and every retry settled.
    expect([...answers.keys()].filter((status) => status !== '201' && status !== '503 SERVICE_UNAVAILABLE')).toEqual([])
    expect(answers.get('503 SERVICE_UNAVAILABLE') ?? 0).toBeGreaterThan(0)
    expect(acknowledged.size).toBeGreaterThan(20)

    // Exactly one stored order per acknowledged key, and stock sold equals stock taken.
    const orders = await selectRows<{ id: number; quantity: number }>(
      databaseUrl,
      `select o.id, sum(i.quantity)::int as quantity from orders o join order_items i on i.order_id = o.id group by o.id`,
    )
    const storedIds = new Set(orders.map((order) => order.id))
    expect([...acknowledged.values()].filter((id) => !storedIds.has(id))).toEqual([])
    expect(orders.length).toBe(acknowledged.size + 1)
    const [stock] = await selectRows<{ quantity_in_stock: number }>(
      databaseUrl,
      `select quantity_in_stock from products where id = ${PRODUCT}`,
    )
    const sold = orders.reduce((sum, order) => sum + order.quantity, 0)
    expect(stock?.quantity_in_stock).toBe(STOCK - sold)

    // The outbox went on too: Salesforce ends up with the stock that is left.
    const deadline = Date.now() + 20_000
    const lastPublished = () => emulator.events().findLast((event) => event.fields.Product_Id__c === PRODUCT)?.fields
    while (lastPublished()?.Qty_In_Stock__c !== STOCK - sold && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(lastPublished()?.Qty_In_Stock__c).toBe(STOCK - sold)
  }, 60_000)
})
