// Expired idempotency keys, old sent events and old publish calls are removed a bounded batch at a time, never in one long statement.
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { purgeExpiredRecords } from '../src/retention-purge.js'
import { databaseUrlFor, engines, openTestDatabase } from './helper.js'

const EXPIRED_KEYS = 20_000
const OLD_EVENTS = 3_000
const OLD_CALLS = 1_500

describe.each(engines)('retention purge on %s', (engine) => {
  it('deletes in steps that other queries can see between, and keeps what is still in retention', async () => {
    const db = await openTestDatabase(await databaseUrlFor(engine))
    const series = (count: number) =>
      engine === 'postgres'
        ? sql`select i from generate_series(1, ${count}) as i`
        : sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count}) select i from n`
    const longAgo = '2020-01-01T00:00:00.000Z'
    await sql`insert into idempotency_keys (key, request_hash, created_at)
      select 'old-' || i, 'hash', ${longAgo} from (${series(EXPIRED_KEYS)}) as s`.execute(db.kysely)
    await sql`insert into idempotency_keys (key, request_hash, created_at)
      select 'new-' || i, 'hash', ${new Date().toISOString()} from (${series(5)}) as s`.execute(db.kysely)
    await sql`insert into stock_events (product_id, sku, quantity_in_stock, created_at, next_attempt_at, sent_at)
      select 1, 'FC-TENT-2P', 40, ${longAgo}, ${longAgo}, ${longAgo} from (${series(OLD_EVENTS)}) as s`.execute(
      db.kysely,
    )
    // The status page shows a day of publish calls: those older than two days go, the recent ones stay.
    const threeDaysAgo = new Date(Date.now() - 3 * 24 * 3600_000).toISOString()
    await sql`insert into publish_calls (org_key, called_at, events, delay_ms)
      select 'default', ${threeDaysAgo}, 1, 200 from (${series(OLD_CALLS)}) as s`.execute(db.kysely)
    await sql`insert into publish_calls (org_key, called_at, events, delay_ms)
      values ('default', ${new Date().toISOString()}, 1, 200)`.execute(db.kysely)
    const expiredLeft = async () =>
      Number(
        (await sql<{ n: number }>`select count(*) as n from idempotency_keys where key like 'old-%'`.execute(db.kysely))
          .rows[0]?.n,
      )

    let finished = false
    const purging = purgeExpiredRecords(db.kysely).finally(() => {
      finished = true
    })
    const seen: number[] = []
    while (!finished) {
      seen.push(await expiredLeft())
      await new Promise((resolve) => setImmediate(resolve))
    }

    expect(await purging).toBe(EXPIRED_KEYS + OLD_EVENTS + OLD_CALLS)
    // A single DELETE would show other queries all of the expired keys or none of them.
    expect(seen.some((left) => left > 0 && left < EXPIRED_KEYS)).toBe(true)
    expect(await expiredLeft()).toBe(0)
    const kept = await sql<{ n: number }>`select count(*) as n from idempotency_keys`.execute(db.kysely)
    expect(Number(kept.rows[0]?.n)).toBe(5)
    const calls = await sql<{ n: number }>`select count(*) as n from publish_calls`.execute(db.kysely)
    expect(Number(calls.rows[0]?.n)).toBe(1)
  })
})
