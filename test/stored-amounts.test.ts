// Defence in depth: the database itself refuses a negative or non-whole stock, quantity or price, and a database
// that already holds one stops start-up with the rows named, instead of being changed silently.

import { type Kysely, sql } from 'kysely'
import { Migrator } from 'kysely/migration'
import { describe, expect, it } from 'vitest'
import { openDatabase } from '../src/db/connect.js'
import { migrationsFor, StoredDataError } from '../src/db/migrations.js'
import type { Tables } from '../src/db/tables.js'
import { prepareDatabase } from '../src/prepare-database.js'
import { type EngineName, engines, openTestDatabase, registerCleanup, sharedDatabaseUrlFor } from './helper.js'
import { startServer } from './support/server-process.js'

/** A database as flowcart left it before the amount rules existed (migrations up to 004). */
async function databaseBeforeAmountRules(engine: EngineName): Promise<{ url: string; db: Kysely<Tables> }> {
  const url = await sharedDatabaseUrlFor(engine)
  const { kysely: db, close } = await openDatabase(url)
  registerCleanup(close)
  const migrations = migrationsFor(engine)
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error } = await migrator.migrateTo('004-products-salesforce-checked-at')
  if (error) throw error
  await sql`insert into products (sku, name, description, price_cents, currency_code, quantity_in_stock, updated_at)
    values ('SKU-1', 'One', '', 100, 'USD', 5, ${new Date().toISOString()})`.execute(db)
  return { url, db }
}

describe.each(engines)('stored amounts on %s', (engine) => {
  it('refuses writes that bypass the service and would store a negative or non-whole amount', async () => {
    const db = await openTestDatabase(await sharedDatabaseUrlFor(engine))
    const now = new Date().toISOString()
    const refused = [
      sql`update products set quantity_in_stock = -1 where id = 1`,
      sql`update products set price_cents = -100 where id = 1`,
      sql`insert into stock_events (product_id, sku, quantity_in_stock, created_at, next_attempt_at)
        values (1, 'FC-TENT-2P', -3, ${now}, ${now})`,
      sql`insert into orders (status, currency_code, total_cents, created_at) values ('placed', 'USD', -1, ${now})`,
    ]
    if (engine === 'sqlite') {
      refused.push(sql`update products set quantity_in_stock = 1e999 where id = 1`)
      refused.push(sql`update products set quantity_in_stock = 2.5 where id = 1`)
      refused.push(sql`update products set price_cents = -1e999 where id = 1`)
      refused.push(sql`update products set quantity_in_stock = 'many' where id = 1`)
    }
    for (const statement of refused) await expect(statement.execute(db.kysely)).rejects.toThrow()
    const order = await sql<{ id: number }>`insert into orders (status, currency_code, total_cents, created_at)
      values ('placed', 'USD', 0, ${now}) returning id`.execute(db.kysely)
    await expect(
      sql`insert into order_items (order_id, product_id, sku, name, quantity, unit_price_cents, total_cents)
        values (${order.rows[0]?.id}, 1, 'FC-TENT-2P', 'Tent', 0, 100, 0)`.execute(db.kysely),
    ).rejects.toThrow()
    const product = await sql<{
      q: number
      p: number
    }>`select quantity_in_stock as q, price_cents as p from products where id = 1`.execute(db.kysely)
    expect(product.rows[0]).toEqual({ q: 40, p: 24_900 })
  })

  it('stops start-up on a database that already holds such a value, naming the table and row, and changes nothing', async () => {
    const { url, db } = await databaseBeforeAmountRules(engine)
    const now = new Date().toISOString()
    await sql`insert into stock_events (product_id, sku, quantity_in_stock, created_at, next_attempt_at)
      values (1, 'SKU-1', -7, ${now}, ${now})`.execute(db)
    if (engine === 'sqlite') await sql`update products set quantity_in_stock = 1e999 where id = 1`.execute(db)

    const other = await openDatabase(url)
    registerCleanup(() => other.close())
    const opening = prepareDatabase(other, { seedDemoData: false })
    await expect(opening).rejects.toBeInstanceOf(StoredDataError)
    await expect(opening).rejects.toThrow(/stock_events row 1: quantity_in_stock is -7/)
    if (engine === 'sqlite') await expect(opening).rejects.toThrow(/products row 1: quantity_in_stock is Inf/)
    const events = await sql<{ q: number }>`select quantity_in_stock as q from stock_events`.execute(db)
    expect(events.rows).toEqual([{ q: -7 }])
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)
    expect(applied.rows.map((row) => row.name)).not.toContain('005-whole-non-negative-amounts')

    // The server says it in one line and exits 1; once repaired, it starts.
    const failed = await startServer({ DATABASE_URL: url }).then(
      () => 'started',
      (error: Error) => error.message,
    )
    expect(failed).toMatch(/exited with 1:\nflowcart cannot start: .*stock_events row 1/)
    await sql`delete from stock_events`.execute(db)
    await sql`update products set quantity_in_stock = 5`.execute(db)
    const repaired = await startServer({ DATABASE_URL: url })
    expect((await fetch(`${repaired.url}/healthz`)).status).toBe(200)
  })
})
