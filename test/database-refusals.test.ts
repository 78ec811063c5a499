// PostgreSQL ending a deadlock refuses one side's work (40P01), which flowcart runs again; refused on every attempt,
// the request is answered 503 with Retry-After, like any other moment the database cannot serve it, and keeps nothing.
import { describe, expect, it } from 'vitest'
import { authHeaders, buildTestApp, createPostgresDatabase, postgresAvailable } from './helper.js'
import { selectRows } from './support/database-rows.js'

/**
 * The app on a fresh database whose `table` answers every write as PostgreSQL answers the side of a deadlock it ends
 * (a trigger), and product 2's stock before.
 */
async function appRefusingWritesTo(table: string) {
  const databaseUrl = await createPostgresDatabase()
  const app = await buildTestApp('postgres', { DATABASE_URL: databaseUrl })
  const stockOf2 = async () => (await app.inject({ url: '/products/2', headers: authHeaders })).json().quantityInStock
  const stock = await stockOf2()
  await selectRows(
    databaseUrl,
    `create function refuse_as_deadlocked() returns trigger language plpgsql as $$
     begin raise exception 'deadlock detected' using errcode = '40P01'; end $$;
     create trigger refuse_as_deadlocked before insert or update on ${table}
     for each row execute function refuse_as_deadlocked()`,
  )
  return { databaseUrl, app, stock, stockOf2 }
}

describe.skipIf(!postgresAvailable)('PostgreSQL refusing work to end deadlocks, every time', () => {
  it('answers an order 503 SERVICE_UNAVAILABLE after its last attempt, and places nothing', async () => {
    const { databaseUrl, app, stock, stockOf2 } = await appRefusingWritesTo('orders')

    const answer = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: authHeaders,
      payload: { items: [{ productId: 2, quantity: 1 }] },
    })

    expect(answer.statusCode).toBe(503)
    expect(answer.headers['retry-after']).toBe('2')
    expect(answer.json()).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' })
    expect(await selectRows(databaseUrl, 'select id from orders')).toEqual([])
    expect(await stockOf2()).toBe(stock)
  })

  it('answers a stocktake 503 SERVICE_UNAVAILABLE after its last attempt, and changes nothing', async () => {
    const { app, stock, stockOf2 } = await appRefusingWritesTo('products')

    const answer = await app.inject({
      method: 'PUT',
      url: '/inventory/2',
      headers: authHeaders,
      payload: { quantityInStock: stock + 5 },
    })

    expect(answer.statusCode).toBe(503)
    expect(answer.json()).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' })
    expect(await stockOf2()).toBe(stock)
  })
})
