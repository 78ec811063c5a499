// The catalog following Salesforce (SF_CATALOG_FROM_SALESFORCE=true): one follower per org flowcart signs in to, kept
// in step with the registry, each on its own lease and streams so that one org's errors never stall another's. The
// master org's products are the catalog; every other org's stock edits are settled as the master's are.
import { randomUUID } from 'node:crypto'
import type { Database } from '../db/connect.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import type { OrgPublishing, PublishingLogger } from '../publishing/org-publishing.js'
import type { CatalogSyncConfig } from './config.js'
import { followOrg, type OrgFollower } from './org-follower.js'

const REGISTRY_REFRESH_MS = 5000

export interface CatalogFollowingOptions {
  db: Database
  stockEvents: StockEventOutbox
  publishing: OrgPublishing
  config: CatalogSyncConfig
  matchField: string
  stockField: string
  logger: PublishingLogger
}

export type SubscriptionStateShown = 'live' | 'connecting' | 'retrying' | 'standby' | 'stopped'

/** One org's subscription as every dyno can read it (the holder writes it): for /healthz and the status page. */
export interface SubscriptionFigures {
  org: string
  master: boolean
  /** live, connecting, retrying, standby (nobody holds it: starting, or taken over soon), stopped. */
  state: SubscriptionStateShown
  lastErrorCode: string | null
  lastAppliedAt: string | null
  lastChangeAt: string | null
  delayMs: number | null
}

const iso = (value: string | Date | null | undefined) =>
  value == null ? null : typeof value === 'string' ? value : value.toISOString()

export function createCatalogFollowing(options: CatalogFollowingOptions) {
  const { db, publishing, config, logger } = options
  // One id per process: a lease names the process that holds it.
  const holder = `${process.env.DYNO ?? 'process'}:${process.pid}:${randomUUID()}`
  const followers = new Map<string, OrgFollower>()
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  async function refresh() {
    if (stopped) return
    const wanted = new Map(publishing.orgAccess().map((access) => [access.orgKey, access]))
    for (const [orgKey, follower] of followers) {
      const access = wanted.get(orgKey)
      if (access && access.tokens === follower.access.tokens) continue
      followers.delete(orgKey)
      await follower.stop()
    }
    for (const [orgKey, access] of wanted) {
      if (followers.has(orgKey) || stopped) continue
      const follower = followOrg({
        db,
        stockEvents: options.stockEvents,
        access,
        master: orgKey === config.masterOrg,
        config,
        matchField: options.matchField,
        stockField: options.stockField,
        holder,
        logger: logger.child({ org: orgKey, catalog: true }),
      })
      followers.set(orgKey, follower)
      follower.start()
    }
  }

  return {
    holder,
    async start() {
      await refresh()
      timer = setInterval(() => {
        refresh().catch((error: unknown) => logger.warn({ err: error }, 'catalog followers could not be refreshed'))
      }, REGISTRY_REFRESH_MS)
      timer.unref()
    },
    async stop() {
      stopped = true
      clearInterval(timer)
      await Promise.all([...followers.values()].map((follower) => follower.stop()))
      followers.clear()
    },
    /** /healthz's account: codes and times only, never Salesforce's words. */
    async health() {
      const orgs = (await figures()).map((figure) => ({
        org: figure.org,
        master: figure.master,
        state: figure.state,
        ...(figure.lastErrorCode ? { lastError: figure.lastErrorCode } : {}),
        ...(figure.lastAppliedAt ? { lastAppliedAt: figure.lastAppliedAt } : {}),
        ...(figure.delayMs === null ? {} : { delaySeconds: figure.delayMs / 1000 }),
      }))
      return { orgs }
    },
    figures,
    /** One org's subscription for the status page; undefined when flowcart does not follow that org. */
    async changesOf(orgKey: string) {
      const [figure] = await figures([orgKey])
      return (
        figure && {
          state: figure.state,
          lastAppliedAt: figure.lastAppliedAt,
          delaySeconds: figure.delayMs === null ? null : figure.delayMs / 1000,
        }
      )
    },
  }

  /** Every org's subscription, as the holders reported it. */
  async function figures(only?: string[]): Promise<SubscriptionFigures[]> {
    const followed = publishing.orgAccess().map((access) => access.orgKey)
    const orgKeys = only ? followed.filter((orgKey) => only.includes(orgKey)) : followed
    if (orgKeys.length === 0) return []
    const [subscribers, checkpoints] = await Promise.all([
      db.kysely.selectFrom('pubsub_subscribers').selectAll().where('org_key', 'in', orgKeys).execute(),
      db.kysely.selectFrom('pubsub_checkpoints').selectAll().where('org_key', 'in', orgKeys).execute(),
    ])
    const now = Date.now()
    return orgKeys.map((orgKey) => {
      const subscriber = subscribers.find((row) => row.org_key === orgKey)
      const held = subscriber?.held_until != null && new Date(subscriber.held_until).getTime() > now
      const latest = checkpoints
        .filter((row) => row.org_key === orgKey)
        .sort((a, b) => String(iso(b.applied_at)).localeCompare(String(iso(a.applied_at))))[0]
      return {
        org: orgKey,
        master: orgKey === config.masterOrg,
        state: held ? ((subscriber?.state ?? 'connecting') as SubscriptionStateShown) : 'standby',
        lastErrorCode: held ? (subscriber?.last_error_code ?? null) : null,
        lastAppliedAt: iso(latest?.applied_at),
        lastChangeAt: iso(latest?.last_change_at),
        delayMs: latest?.delay_ms ?? null,
      }
    })
  }
}

export type CatalogFollowing = ReturnType<typeof createCatalogFollowing>
