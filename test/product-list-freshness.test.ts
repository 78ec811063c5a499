// The product list is answered from memory on SQLite: it must still show every stock change, whoever made it.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { authHeaders, buildTestApp, engines } from './helper.js'

type Listed = Array<{ id: number; quantityInStock: number }>

describe.each(engines)('product list freshness on %s', (engine) => {
  it('shows the stock an order, a stock update or a failed order leaves behind', async () => {
    const app = await buildTestApp(engine)
    const stockOf = async (id: number) => {
      const list: Listed = (await app.inject({ url: '/products', headers: authHeaders })).json()
      return list.find((product) => product.id === id)?.quantityInStock
    }
    expect(await stockOf(1)).toBe(40)
    const order = (items: Array<{ productId: number; quantity: number }>) =>
      app.inject({ method: 'POST', url: '/orders', headers: authHeaders, payload: { items } })
    expect((await order([{ productId: 1, quantity: 3 }])).statusCode).toBe(201)
    expect(await stockOf(1)).toBe(37)
    await app.inject({ method: 'PUT', url: '/inventory/1', headers: authHeaders, payload: { quantityInStock: 5 } })
    expect(await stockOf(1)).toBe(5)
    // The first line is taken, the second is short: nothing may change, and the list must not show the first.
    const refused = await order([
      { productId: 1, quantity: 2 },
      { productId: 2, quantity: 1000 },
    ])
    expect(refused.statusCode).toBe(409)
    expect(await stockOf(1)).toBe(5)
  })

  it('keeps pages apart', async () => {
    const app = await buildTestApp(engine)
    const ids = async (query: string) =>
      ((await app.inject({ url: `/products?${query}`, headers: authHeaders })).json() as Listed).map((p) => p.id)
    expect(await ids('pageSize=2')).toEqual([1, 2])
    expect(await ids('pageSize=2&offset=2')).toEqual([3, 4])
    expect(await ids('pageSize=2')).toEqual([1, 2])
    expect(await ids('pageSize=2&after=6')).toEqual([7, 8])
    expect(await ids('pageSize=2&after=2')).toEqual([3, 4])
    expect(await ids('pageSize=2&after=6')).toEqual([7, 8])
    expect(await ids('pageSize=2')).toEqual([1, 2])
  })
})

describe('product list freshness across processes on SQLite', () => {
  it('shows a change committed by another connection to the same file', async () => {
    const databaseFile = join(mkdtempSync(join(tmpdir(), 'flowcart-freshness-')), 'flowcart.db')
    const app = await buildTestApp('sqlite', { DATABASE_URL: `sqlite:${databaseFile}` })
    const first = async () =>
      ((await app.inject({ url: '/products', headers: authHeaders })).json() as Listed)[0]?.quantityInStock
    expect(await first()).toBe(40)
    expect(await first()).toBe(40)
    const other = new SqliteDatabase(databaseFile)
    other.prepare('update products set quantity_in_stock = 7 where id = 1').run()
    other.close()
    expect(await first()).toBe(7)
  })
})
