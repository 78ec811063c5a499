// Every org's figures for the admin: the registry's orgs and the default org (the single-org configuration), each
// with its calls, orders, revenue, publishing and token, and the hourly chart of the status page.
import type { Kysely } from 'kysely'
import type { Tables } from '../db/tables.js'
import { fromCents } from '../db/values.js'
import { listOrgs } from '../orgs/repository.js'
import { DEFAULT_ORG_KEY } from '../salesforce/product-ids.js'
import {
  type CurrencyTotals,
  lastCalls,
  maxDelayPerHour,
  ordersPerHour,
  orderTotals,
  publishState,
} from './repository.js'
import { type CatalogChanges, NO_SYNC_FIGURES, type OrgSyncFigures, type SyncFigures } from './sync-figures.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
export const CHART_HOURS = 24

/** An amount per currency, as the API shows money elsewhere: a number in the currency's units, and its code. */
export interface Revenue {
  currencyCode: string
  amount: number
}

export interface Period {
  orders: number
  revenue: Revenue[]
}

export interface OrgFigures extends OrgSyncFigures {
  orgKey: string
  orgId: string | null
  name: string
  status: 'active' | 'disabled'
  lastCallAt: string | null
  /** Since midnight UTC. */
  today: Period
  last30Days: Period
  lastPublishedAt: string | null
  lastErrorCode: string | null
  catalogChanges: CatalogChanges | null
}

/** One org's last 24 hours, hour by hour, oldest first: `hours` has one more entry, the end of the last hour. */
export interface OrgChart {
  orgKey: string
  hours: string[]
  orders: number[]
  maxDelayMs: (number | null)[]
}

interface OrgRow {
  orgKey: string
  orgId: string | null
  name: string
  status: 'active' | 'disabled'
}

/** The default org first, then the registry's, in its order (by name). */
async function everyOrg(db: Kysely<Tables>): Promise<OrgRow[]> {
  const registered = await listOrgs(db)
  return [
    { orgKey: DEFAULT_ORG_KEY, orgId: null, name: 'Default org (single-org configuration)', status: 'active' },
    ...registered.map((org) => ({ orgKey: org.orgId, orgId: org.orgId, name: org.name, status: org.status })),
  ]
}

const period = (totals: CurrencyTotals[], today: boolean): Period => {
  const counted = totals.filter((row) => (today ? row.ordersToday : row.orders) > 0)
  return {
    orders: counted.reduce((sum, row) => sum + (today ? row.ordersToday : row.orders), 0),
    revenue: counted.map((row) => ({
      currencyCode: row.currencyCode,
      amount: fromCents(today ? row.revenueCentsToday : row.revenueCents),
    })),
  }
}

/**
 * The queries run one after another, not all at once: the admin never holds more than one of the pool's connections,
 * which Flow callers need more.
 */
export async function orgFigures(
  db: Kysely<Tables>,
  syncFigures: SyncFigures | undefined,
  now = new Date(),
): Promise<OrgFigures[]> {
  const midnight = new Date(now)
  midnight.setUTCHours(0, 0, 0, 0)
  const since = new Date(now.getTime() - 30 * DAY_MS).toISOString()
  const calls = await lastCalls(db)
  const figures: OrgFigures[] = []
  for (const org of await everyOrg(db)) {
    const totals = await orderTotals(db, org.orgId, since, midnight.toISOString())
    const published = await publishState(db, org.orgKey)
    const sync = syncFigures ? await syncFigures.forOrg(org.orgKey) : NO_SYNC_FIGURES
    figures.push({
      ...org,
      lastCallAt: calls.get(org.orgKey) ?? null,
      today: period(totals, true),
      last30Days: period(totals, false),
      ...published,
      publishesVia: sync.publishesVia,
      eventsPending: sync.eventsPending,
      oldestPendingSeconds: sync.oldestPendingSeconds,
      token: sync.token,
      catalogChanges: sync.catalogChanges ?? null,
    })
  }
  return figures
}

/** The starts of the last 24 hours (the current one last, still under way), and the end of the current one. */
export function chartHours(now: Date): string[] {
  const next = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS
  return Array.from({ length: CHART_HOURS + 1 }, (_, index) =>
    new Date(next - (CHART_HOURS - index) * HOUR_MS).toISOString(),
  )
}

export async function orgChart(db: Kysely<Tables>, org: OrgFigures, now = new Date()): Promise<OrgChart> {
  const hours = chartHours(now)
  return {
    orgKey: org.orgKey,
    hours,
    orders: await ordersPerHour(db, org.orgId, hours),
    maxDelayMs: await maxDelayPerHour(db, org.orgKey, hours),
  }
}
