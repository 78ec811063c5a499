// Stock events for every org flowcart publishes to: one publisher per org, each with its own token, Product2 Ids,
// progress and retries (src/salesforce/ does one org's work; this keeps the set of them in step with the registry).
// An org that is down, slow, over its limit or refusing the token delays nobody else: every org drains on its own.
import type { AppLink } from '../applink/connect.js'
import type { Database } from '../db/connect.js'
import { listOrgs } from '../orgs/repository.js'
import { pendingEvents } from '../outbox/repository.js'
import { settleForOrgs } from '../outbox/settling.js'
import { sharedSuperseding } from '../outbox/shared-superseding.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import type { SalesforceConfig } from '../salesforce/config.js'
import type { PublisherOptions } from '../salesforce/event-publisher.js'
import { createSalesforceIntegration, type SalesforceIntegration } from '../salesforce/index.js'
import type { StockSync } from '../salesforce/stock-sync.js'
import { createTokenProvider, type SalesforceLogger, type TokenProvider } from '../salesforce/token-provider.js'
import { salesforceStore } from '../salesforce-store.js'
import { type PublishTarget, publishTargets, sameWayIn } from './publish-targets.js'
import { type TokenState, watchedTokens } from './watched-tokens.js'

/** A disabled org stops receiving, and a new one starts, within this long on every dyno. */
const REGISTRY_REFRESH_MS = 5000

export interface PublishingLogger extends SalesforceLogger {
  child(bindings: Record<string, unknown>): SalesforceLogger
}

export interface OrgPublishingOptions {
  db: Database
  config: SalesforceConfig
  stockEvents: StockEventOutbox
  logger: PublishingLogger
  appLink?: AppLink
  publisherOptions?: PublisherOptions
}

interface Publishing {
  target: PublishTarget
  integration: SalesforceIntegration
  tokens: TokenProvider
  tokenState(): TokenState
}

/** flowcart's own way into one org: its token source, REST client and stock sync (src/catalog-sync/ uses them). */
export interface OrgAccess {
  orgKey: string
  name: string
  tokens: TokenProvider
  client: SalesforceIntegration['client']
  stockSync: StockSync
}

/** What /healthz says of Salesforce: codes and counts only, for every org together. */
export interface SalesforceHealth {
  configured: boolean
  pendingEvents: number
  /** How long the oldest unpublished event has waited. */
  oldestPendingSeconds?: number
  lastPublishedAt?: string
  lastError?: string
}

const secondsSince = (since: Date | undefined) => since && Math.floor((Date.now() - since.getTime()) / 1000)

export function createOrgPublishing(options: OrgPublishingOptions) {
  const { db, config, stockEvents, logger, appLink, publisherOptions } = options
  const byOrg = new Map<string, Publishing>()
  const supersede = sharedSuperseding(db)
  const appLinkMode = appLink !== undefined
  const orgKeysNow = async () =>
    publishTargets(await listOrgs(db.kysely), config, appLinkMode).map((target) => target.orgKey)
  const shared = { supersede, orgKeys: orgKeysNow }
  let started = false
  let settledAtStart = false
  let timer: NodeJS.Timeout | undefined

  function open(target: PublishTarget): Publishing {
    const orgLogger = logger.child({ org: target.orgKey })
    const tokens = watchedTokens(
      target.via === 'jwt'
        ? createTokenProvider(target.settings, { logger: orgLogger })
        : (appLink as AppLink).authorizationTokens(target.authorization, orgLogger),
    )
    const store = salesforceStore(db, target.orgKey, shared)
    const integration = createSalesforceIntegration(config, store, orgLogger, tokens, publisherOptions)
    return { target, integration, tokens, tokenState: tokens.state }
  }

  /** Brings the publishers in step with the registry: new orgs start, disabled or removed ones stop. */
  async function refresh() {
    const targets = publishTargets(await listOrgs(db.kysely), config, appLinkMode)
    const wanted = new Map(targets.map((target) => [target.orgKey, target]))
    let dropped = false
    for (const [orgKey, publishing] of byOrg) {
      const target = wanted.get(orgKey)
      if (target && sameWayIn(target, publishing.target)) continue
      byOrg.delete(orgKey)
      dropped ||= !target
      await publishing.integration.publisher.stop()
      logger.info({ org: orgKey }, 'stock events no longer published to this org')
    }
    // What only the dropped org still lacked is nobody's to deliver now; and at start, what every org had accepted
    // when a process was killed before it could settle it.
    if (dropped || !settledAtStart) await settleForOrgs(db, [...wanted.keys()])
    settledAtStart = true
    for (const [orgKey, target] of wanted) {
      if (byOrg.has(orgKey)) continue
      const publishing = open(target)
      byOrg.set(orgKey, publishing)
      if (started) publishing.integration.publisher.start()
      logger.info({ org: orgKey, via: target.via }, `stock events published to ${target.name}`)
    }
  }

  stockEvents.onCommitted(() => {
    for (const { integration } of byOrg.values()) integration.publisher.changed()
  })

  return {
    refresh,
    /** Whether any org receives events now: stock changes are recorded only then. */
    publishesToAnyOrg: () => byOrg.size > 0,
    /** Each org's publisher: the demo, the bench and tests wait on publishDue; shutdown stops every one. */
    publisher: {
      start() {
        started = true
        for (const { integration } of byOrg.values()) integration.publisher.start()
        timer = setInterval(() => {
          refresh().catch((error: unknown) =>
            logger.warn({ err: error }, 'the org registry could not be read; publishing goes on as it was'),
          )
        }, REGISTRY_REFRESH_MS)
        timer.unref()
      },
      async stop() {
        started = false
        clearInterval(timer)
        await Promise.all([...byOrg.values()].map(({ integration }) => integration.publisher.stop()))
      },
      async publishDue() {
        await Promise.all([...byOrg.values()].map(({ integration }) => integration.publisher.publishDue()))
      },
    },
    /** Every org flowcart signs in to now, with its way in. */
    orgAccess: (): OrgAccess[] =>
      [...byOrg.values()].map(({ target, tokens, integration }) => ({
        orgKey: target.orgKey,
        name: target.name,
        tokens,
        client: integration.client,
        stockSync: integration.stockSync,
      })),
    /** getInventory's sync into one org, as flowcart's own integration user; undefined when it cannot sign in there. */
    stockSyncFor: (orgKey: string): StockSync | undefined => byOrg.get(orgKey)?.integration.stockSync,
    /** One org's publishing as the status page shows it; undefined when flowcart does not publish to it. */
    async figuresFor(orgKey: string) {
      const publishing = byOrg.get(orgKey)
      if (!publishing) return undefined
      const { count, oldestSince } = await publishing.integration.pendingEvents()
      return {
        publishesVia: publishing.target.via,
        eventsPending: count,
        oldestPendingSeconds: secondsSince(oldestSince) ?? null,
        token: publishing.tokenState(),
      }
    },
    async health(): Promise<SalesforceHealth> {
      const { count, oldestSince } = await pendingEvents(db.kysely)
      const oldestPendingSeconds = secondsSince(oldestSince)
      const statuses = [...byOrg.values()].map(({ integration }) => integration.publisher.status())
      const lastPublishedAt = statuses
        .map((status) => status.lastPublishedAt)
        .filter((at) => at !== undefined)
        .sort()
        .at(-1)
      const lastError = statuses.find((status) => status.lastError !== undefined)?.lastError
      return {
        configured: true,
        pendingEvents: count,
        ...(oldestPendingSeconds === undefined ? {} : { oldestPendingSeconds }),
        ...(lastPublishedAt === undefined ? {} : { lastPublishedAt }),
        ...(lastError === undefined ? {} : { lastError }),
      }
    },
  }
}

export type OrgPublishing = ReturnType<typeof createOrgPublishing>
