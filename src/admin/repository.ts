// The admin figures' queries: one org's orders and revenue, its publish calls, its hourly chart, and when each org
// last called. Every time is compared as an ISO 8601 string, which both engines order correctly (SQLite's text, and
// PostgreSQL's timestamptz, which takes the string as a timestamp), so no query here asks which engine it is.
import { type Kysely, type RawBuilder, type SelectQueryBuilder, sql } from 'kysely'
import type { Tables } from '../db/tables.js'
import { toIso } from '../db/values.js'

/** One currency's orders and their total in cents, over a window and over its last part ("today"). */
export interface CurrencyTotals {
  currencyCode: string
  orders: number
  revenueCents: number
  ordersToday: number
  revenueCentsToday: number
}

/** Orders of one org (null: those placed without an org, the default org's) since `since`, per currency. */
export async function orderTotals(
  db: Kysely<Tables>,
  orgId: string | null,
  since: string,
  today: string,
): Promise<CurrencyTotals[]> {
  const rows = await ofOrg(db.selectFrom('orders'), orgId)
    .where('created_at', '>=', since)
    .select((eb) => [
      'currency_code',
      eb.fn.countAll<string | number>().as('orders'),
      eb.fn.sum<string | number>('total_cents').as('revenue'),
      sql<string | number>`sum(case when created_at >= ${today} then 1 else 0 end)`.as('orders_today'),
      sql<string | number>`sum(case when created_at >= ${today} then total_cents else 0 end)`.as('revenue_today'),
    ])
    .groupBy('currency_code')
    .orderBy('currency_code')
    .execute()
  // PostgreSQL hands counts and sums back as strings (bigint, numeric).
  return rows.map((row) => ({
    currencyCode: row.currency_code,
    orders: Number(row.orders),
    revenueCents: Number(row.revenue),
    ordersToday: Number(row.orders_today),
    revenueCentsToday: Number(row.revenue_today),
  }))
}

/** The index orders_by_org_time (org_id, created_at) serves both: `org_id = ?` and `org_id is null`. */
function ofOrg<O>(query: SelectQueryBuilder<Tables, 'orders', O>, orgId: string | null) {
  return orgId === null ? query.where('org_id', 'is', null) : query.where('org_id', '=', orgId)
}

export interface PublishState {
  /** The latest call that succeeded. */
  lastPublishedAt: string | null
  /** The code of the latest call when it failed after the latest success; null once a call succeeds again. */
  lastErrorCode: string | null
}

/** Two look-ups down the index publish_calls_by_org (org_key, called_at), newest first, one row each. */
export async function publishState(db: Kysely<Tables>, orgKey: string): Promise<PublishState> {
  const newest = db
    .selectFrom('publish_calls')
    .select(['called_at', 'error_code'])
    .where('org_key', '=', orgKey)
    .orderBy('called_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
  const latest = await newest.executeTakeFirst()
  const success = await newest.where('error_code', 'is', null).executeTakeFirst()
  const lastPublishedAt = success ? toIso(success.called_at) : null
  const failedSince =
    latest?.error_code != null && (lastPublishedAt === null || toIso(latest.called_at) > lastPublishedAt)
  return { lastPublishedAt, lastErrorCode: failedSince ? latest.error_code : null }
}

/**
 * One aggregate per hour, the hour starting at `hours[i]` and ending at `hours[i + 1]`, as columns h0, h1, …: one row
 * of conditional aggregates rather than a group by hour, which would need each engine's own date function.
 */
function perHour(hours: string[], aggregate: (from: string, to: string) => RawBuilder<string | number | null>) {
  return hours.slice(0, -1).map((from, index) => aggregate(from, hours[index + 1] as string).as(`h${index}`))
}

/** The h0, h1, … values of a perHour row, in hour order (null where the aggregate found nothing). */
function hourValues(row: object | undefined, hours: string[]): (number | null)[] {
  return hours.slice(0, -1).map((_, index) => {
    const value = (row as Record<string, unknown> | undefined)?.[`h${index}`]
    return value === null || value === undefined ? null : Number(value)
  })
}

/** Orders placed in each hour of `hours` (see perHour). */
export async function ordersPerHour(db: Kysely<Tables>, orgId: string | null, hours: string[]): Promise<number[]> {
  const row = await ofOrg(db.selectFrom('orders'), orgId)
    .where('created_at', '>=', hours[0] ?? '')
    .select(
      perHour(hours, (from, to) => sql`sum(case when created_at >= ${from} and created_at < ${to} then 1 else 0 end)`),
    )
    .executeTakeFirst()
  return hourValues(row, hours).map((count) => count ?? 0)
}

/** The longest delay of a successful publish call in each hour (null: no such call that hour). */
export async function maxDelayPerHour(db: Kysely<Tables>, orgKey: string, hours: string[]): Promise<(number | null)[]> {
  const row = await db
    .selectFrom('publish_calls')
    .where('org_key', '=', orgKey)
    .where('called_at', '>=', hours[0] ?? '')
    .select(
      perHour(hours, (from, to) => sql`max(case when called_at >= ${from} and called_at < ${to} then delay_ms end)`),
    )
    .executeTakeFirst()
  return hourValues(row, hours)
}

/** When each org last called the API, by org key. */
export async function lastCalls(db: Kysely<Tables>): Promise<Map<string, string>> {
  const rows = await db.selectFrom('org_calls').select(['org_key', 'last_call_at']).execute()
  return new Map(rows.map((row) => [row.org_key, toIso(row.last_call_at)]))
}

/** Records a call of the org at `at`, unless a later one is recorded already (another dyno's). */
export async function recordLastCall(db: Kysely<Tables>, orgKey: string, at: string): Promise<void> {
  await db
    .insertInto('org_calls')
    .values({ org_key: orgKey, last_call_at: at })
    .onConflict((conflict) =>
      conflict.column('org_key').doUpdateSet({ last_call_at: at }).where('org_calls.last_call_at', '<', at),
    )
    .execute()
}
