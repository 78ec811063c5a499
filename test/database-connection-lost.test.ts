// A PostgreSQL connection lost while a request uses it fails that request alone (503), and the pool heals.
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { authHeaders, buildTestApp, createPostgresDatabase, postgresAvailable } from './helper.js'
import { selectRows } from './support/database-rows.js'
import { startPostgresProxy } from './support/postgres-proxy.js'
import { lockProducts } from './support/products-lock.js'

const order = (app: FastifyInstance, idempotencyKey?: string) =>
  app.inject({
    method: 'POST',
    url: '/orders',
    headers: { ...authHeaders, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    payload: { items: [{ productId: 2, quantity: 3 }] },
  })

describe.skipIf(!postgresAvailable)('PostgreSQL connection lost', () => {
  it('answers the requests that were on it 503 SERVICE_UNAVAILABLE, stores nothing of them, and goes on', async () => {
    const databaseUrl = await createPostgresDatabase()
    const app = await buildTestApp('postgres', { DATABASE_URL: databaseUrl })
    const lock = await lockProducts(databaseUrl)
    const placing = order(app)
    const reading = app.inject({ url: '/products/2', headers: authHeaders })
    await lock.terminate(await lock.untilWaiting(2))
    await lock.release()

    for (const answer of [await placing, await reading]) {
      expect(answer.statusCode).toBe(503)
      expect(answer.headers['retry-after']).toBe('2')
      expect(answer.json()).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' })
    }
    expect(await selectRows(databaseUrl, 'select id from orders')).toEqual([])
    const next = await order(app)
    expect(next.statusCode).toBe(201)
    expect((await app.inject({ url: '/products/2', headers: authHeaders })).json().quantityInStock).toBe(35 - 3)
  })

  it('answers an order whose commit was not confirmed 503, and a retry with its key answers the order placed', async () => {
    const databaseUrl = await createPostgresDatabase()
    const proxy = await startPostgresProxy(databaseUrl)
    const app = await buildTestApp('postgres', { DATABASE_URL: proxy.url })

    const lost = proxy.loseNextCommitAnswer()
    const unsure = await order(app, 'order-commit-lost')
    await lost
    expect(unsure.statusCode).toBe(503)
    expect(unsure.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
    expect(unsure.json().message).toMatch(/may or may not have been saved.*same Idempotency-Key/)

    const retried = await order(app, 'order-commit-lost')
    expect(retried.statusCode).toBe(201)
    expect(retried.headers['idempotent-replayed']).toBe('true')
    const stored = await selectRows<{ id: number }>(databaseUrl, 'select id from orders')
    expect(stored).toEqual([{ id: retried.json().id }])
    expect((await app.inject({ url: '/products/2', headers: authHeaders })).json().quantityInStock).toBe(35 - 3)
  })

  it('answers writes 503 while the database is read-only, as in a changeover, and serves reads', async () => {
    const databaseUrl = await createPostgresDatabase()
    const app = await buildTestApp('postgres', { DATABASE_URL: databaseUrl })
    const name = new URL(databaseUrl).pathname.slice(1)
    const readOnly = async (on: boolean) => {
      await selectRows(
        databaseUrl,
        `begin read write; alter database ${name} set default_transaction_read_only = ${on}; commit`,
      )
      // Sessions take the setting when they start: end the pooled ones, as the changeover does.
      await selectRows(
        databaseUrl,
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
      )
    }
    await readOnly(true)
    const refused = await order(app, 'order-read-only')
    expect(refused.statusCode).toBe(503)
    expect(refused.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
    expect((await app.inject({ url: '/products/2', headers: authHeaders })).statusCode).toBe(200)

    await readOnly(false)
    const placed = await order(app, 'order-read-only')
    expect(placed.statusCode).toBe(201)
    expect(placed.headers['idempotent-replayed']).toBeUndefined()
  })
})
