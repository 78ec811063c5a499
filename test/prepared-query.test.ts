// A query built once with named slots: each call gets the same SQL and its own values, in the engine's order.
import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { prepareQuery } from '../src/store/prepared-query.js'
import type { Database } from '../src/store/tables.js'

const dialects = {
  sqlite: new SqliteDialect({ database: new SqliteDatabase(':memory:') }),
  // Compiling never connects, so no server is needed here.
  postgres: new PostgresDialect({ pool: new pg.Pool() }),
}

describe.each(Object.entries(dialects))('prepared query on %s', (_name, dialect) => {
  const db = new Kysely<Database>({ dialect })
  const takeStock = prepareQuery<{ productId: number; quantity: number }>()((slot) =>
    db
      .updateTable('products')
      .set({ quantity_in_stock: sql`quantity_in_stock - ${slot('quantity')}`, updated_at: 'fixed' })
      .where('id', '=', slot('productId'))
      .where('quantity_in_stock', '>=', slot('quantity')),
  )

  it('binds each call’s values where the slots were, and keeps values written into the query', () => {
    const first = takeStock.bind({ productId: 7, quantity: 3 })
    const second = takeStock.bind({ productId: 8, quantity: 1 })
    const built = db
      .updateTable('products')
      .set({ quantity_in_stock: sql`quantity_in_stock - ${3}`, updated_at: 'fixed' })
      .where('id', '=', 7)
      .where('quantity_in_stock', '>=', 3)
      .compile()

    expect(first.sql).toBe(built.sql)
    expect(first.parameters).toEqual(built.parameters)
    expect(second.sql).toBe(first.sql)
    expect(second.parameters).toEqual([1, 'fixed', 8, 1])
  })
})
