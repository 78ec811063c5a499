// PostgreSQL group commit, as a user of postOrder sees it: orders that arrive together share one transaction and one
// commit on one connection, each placed or refused on its own, none answered before that commit, and none placed
// twice when it fails.
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { authHeaders, buildTestApp, createPostgresDatabase, postgresAvailable, registerCleanup } from './helper.js'
import { selectRows } from './support/database-rows.js'
import { startPostgresProxy } from './support/postgres-proxy.js'
import { lockProducts } from './support/products-lock.js'

const order = (app: FastifyInstance, productId: number, quantity: number, idempotencyKey?: string) =>
  app.inject({
    method: 'POST',
    url: '/orders',
    headers: { ...authHeaders, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    payload: { items: [{ productId, quantity }] },
  })

const stockOf = async (app: FastifyInstance, productId: number) =>
  (await app.inject({ url: `/products/${productId}`, headers: authHeaders })).json().quantityInStock as number

/** Lets the event loop turn a few times: requests sent meanwhile are read and queued. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 200))

describe.skipIf(!postgresAvailable)('group commit (PostgreSQL)', () => {
  it('runs the orders that arrive together on one connection, one transaction after the other', async () => {
    const databaseUrl = await createPostgresDatabase()
    const app = await buildTestApp('postgres', { DATABASE_URL: databaseUrl })
    const stock = await stockOf(app, 2)
    const lock = await lockProducts(databaseUrl, 2)

    const placing = Array.from({ length: 10 }, () => order(app, 2, 1))
    await lock.untilWaiting()
    await settle()
    // One transaction waits for the row; the other orders wait in flowcart for its commit, not on connections of
    // their own (one per order would hold ten of the pool's connections, each waiting on the lock).
    expect(await lock.waitingSessions()).toHaveLength(1)
    await lock.release()

    const answers = await Promise.all(placing)
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(10).fill(201))
    expect(new Set(answers.map((answer) => answer.json().id)).size).toBe(10)
    expect(await stockOf(app, 2)).toBe(stock - 10)
  })

  it('refuses an order of a batch alone: the others are placed, the refused one leaves nothing', async () => {
    const databaseUrl = await createPostgresDatabase()
    const app = await buildTestApp('postgres', { DATABASE_URL: databaseUrl })
    const [stock, otherStock] = [await stockOf(app, 2), await stockOf(app, 3)]
    const lock = await lockProducts(databaseUrl, 2)
    const first = order(app, 2, 1)
    await lock.untilWaiting()

    // These arrive while the first batch waits for the row: they run together, in the next batch. The half-takable
    // order could take product 3 but not its product 2 line.
    const [placed, refused, keyed] = [order(app, 2, 1), order(app, 2, stock), order(app, 2, 1, 'keyed-in-batch')]
    const halfTakable = app.inject({
      method: 'POST',
      url: '/orders',
      headers: authHeaders,
      payload: {
        items: [
          { productId: 3, quantity: 1 },
          { productId: 2, quantity: stock },
        ],
      },
    })
    await settle()
    await lock.release()

    expect((await first).statusCode).toBe(201)
    expect((await placed).statusCode).toBe(201)
    expect((await refused).statusCode).toBe(409)
    expect((await refused).json()).toMatchObject({ code: 'OUT_OF_STOCK' })
    expect((await keyed).statusCode).toBe(201)
    expect((await halfTakable).statusCode).toBe(409)
    expect(await stockOf(app, 2)).toBe(stock - 3)
    expect(await stockOf(app, 3)).toBe(otherStock)
    const stored = await selectRows<{ id: number }>(databaseUrl, 'select id from orders order by id')
    expect(stored.map((row) => row.id).sort()).toEqual(
      [(await first).json().id, (await placed).json().id, (await keyed).json().id].sort(),
    )
    const retried = await order(app, 2, 1, 'keyed-in-batch')
    expect(retried.headers['idempotent-replayed']).toBe('true')
    expect(retried.json().id).toBe((await keyed).json().id)
  })

  it('fails a batch whose connection is lost with 503 and keeps none of it; the orders behind it are placed', async () => {
    const databaseUrl = await createPostgresDatabase()
    const app = await buildTestApp('postgres', { DATABASE_URL: databaseUrl })
    const stock = await stockOf(app, 2)
    const lock = await lockProducts(databaseUrl, 2)
    const cutOff = [order(app, 2, 1), order(app, 2, 1)]
    const [session] = await lock.untilWaiting()
    const behind = [order(app, 2, 1), order(app, 2, 1, 'behind-the-lost-batch')]
    await settle()

    await lock.terminate([session as number])
    for (const answer of await Promise.all(cutOff)) {
      expect(answer.statusCode).toBe(503)
      expect(answer.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' })
    }
    await lock.release()

    const placed = await Promise.all(behind)
    expect(placed.map((answer) => answer.statusCode)).toEqual([201, 201])
    const stored = await selectRows<{ id: number }>(databaseUrl, 'select id from orders')
    expect(stored.map((row) => row.id).sort()).toEqual(placed.map((answer) => answer.json().id).sort())
    expect(await stockOf(app, 2)).toBe(stock - 2)
  })

  it('answers every order of a batch whose commit went unconfirmed 503, and places none twice', async () => {
    const databaseUrl = await createPostgresDatabase()
    const proxy = await startPostgresProxy(databaseUrl)
    const app = await buildTestApp('postgres', { DATABASE_URL: proxy.url })
    const stock = await stockOf(app, 2)

    const lost = proxy.loseNextCommitAnswer()
    // Sent in one turn of the event loop: one batch, one commit, whose answer never arrives.
    const unsure = await Promise.all([order(app, 2, 1, 'unsure-1'), order(app, 2, 1, 'unsure-2'), order(app, 2, 1)])
    await lost
    for (const answer of unsure) {
      expect(answer.statusCode).toBe(503)
      expect(answer.json().message).toMatch(/may or may not have been saved.*same Idempotency-Key/)
    }
    // The commit did happen: flowcart ran none of the orders again, and retries with a key find theirs.
    const stored = await selectRows<{ id: number }>(databaseUrl, 'select id from orders')
    expect(stored).toHaveLength(3)
    for (const key of ['unsure-1', 'unsure-2']) {
      const retried = await order(app, 2, 1, key)
      expect(retried.statusCode).toBe(201)
      expect(retried.headers['idempotent-replayed']).toBe('true')
    }
    expect(await selectRows(databaseUrl, 'select id from orders')).toHaveLength(3)
    expect(await stockOf(app, 2)).toBe(stock - 3)
  })

  it('tries an order again, in a later batch, when PostgreSQL ends a deadlock by refusing it', async () => {
    const databaseUrl = await createPostgresDatabase()
    const app = await buildTestApp('postgres', { DATABASE_URL: databaseUrl })
    const [stock1, stock2] = [await stockOf(app, 1), await stockOf(app, 2)]
    const other = new pg.Client({ connectionString: databaseUrl })
    await other.connect()
    registerCleanup(() => other.end())
    await other.query('begin')
    await other.query('update products set quantity_in_stock = quantity_in_stock + 100 where id = 2')
    const lock = await lockProducts(databaseUrl, 1)

    // One batch: the first order waits for product 1; once it has it, the second waits for product 2, held by the
    // other session, which then asks for product 1: a deadlock, which PostgreSQL ends by refusing one side.
    const batch = [order(app, 1, 1), order(app, 2, 1)]
    await lock.untilWaiting()
    await lock.release()
    await lock.untilWaiting() // the second order, now on product 2
    const otherDone = other
      .query('update products set quantity_in_stock = quantity_in_stock + 100 where id = 1')
      .then(async () => {
        await other.query('commit')
        return 'committed'
      })
      .catch(async () => {
        await other.query('rollback')
        return 'refused'
      })

    const answers = await Promise.all(batch)
    await otherDone
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201])
    const stored = await selectRows(databaseUrl, 'select id from orders')
    expect(stored).toHaveLength(2)
    const kept = (await otherDone) === 'committed' ? 100 : 0
    expect(await stockOf(app, 1)).toBe(stock1 - 1 + kept)
    expect(await stockOf(app, 2)).toBe(stock2 - 1 + kept)
  })
})
