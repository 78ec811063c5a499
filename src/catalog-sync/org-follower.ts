// One org's change-event subscription in this process: it takes the org's lease (or waits for it), imports the
// catalog when the org is the master and has never been imported, then keeps one stream per topic, and lets go the
// moment it cannot be sure the lease is still its own.
import type { Database } from '../db/connect.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import type { OrgAccess } from '../publishing/org-publishing.js'
import { createPubSubClient } from '../pubsub/pubsub-client.js'
import { type ReplayStart, type SubscriptionStatus, subscribeToTopic } from '../pubsub/topic-subscription.js'
import { DEFAULT_ORG_KEY } from '../salesforce/product-ids.js'
import type { SalesforceLogger } from '../salesforce/token-provider.js'
import { changeApplier, PRICE_TOPIC, PRODUCT_TOPIC } from './apply-changes.js'
import { storedReplayId } from './checkpoints.js'
import type { CatalogSyncConfig } from './config.js'
import { salesforceCatalog } from './salesforce-catalog.js'
import { LEASE_MS, RENEW_MS, releaseLease, reportState, takeLease } from './subscriber-lease.js'

/** A lease is given up this long before it runs out, should renewing it fail: room for clocks and a slow commit. */
const LEASE_MARGIN_MS = 4000

export interface FollowerOptions {
  db: Database
  stockEvents: StockEventOutbox
  access: OrgAccess
  master: boolean
  config: CatalogSyncConfig
  matchField: string
  stockField: string
  holder: string
  logger: SalesforceLogger
}

export type FollowerState = 'standby' | 'connecting' | 'live' | 'retrying' | 'stopped'

export function followOrg(options: FollowerOptions) {
  const { db, access, master, holder, logger } = options
  const orgKey = access.orgKey
  const topics = master ? [PRODUCT_TOPIC, PRICE_TOPIC] : [PRODUCT_TOPIC]
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  let safeUntil = 0
  let streams: Array<ReturnType<typeof subscribeToTopic>> = []
  let runs: Promise<void>[] = []
  let holding = false
  let beginning: Promise<void> | undefined
  // A gRPC channel of its own: a channel carries at most 100 streams (Pub/Sub API allocations), and a channel's
  // failure (a GOAWAY, a dropped connection) is then one org's.
  const client = createPubSubClient(options.config.pubSubEndpoint)
  let lastReported = ''

  const applier = changeApplier({
    db,
    stockEvents: options.stockEvents,
    orgKey,
    holder,
    master,
    salesforce: salesforceCatalog(access.client, { matchField: options.matchField, stockField: options.stockField }),
    matchField: options.matchField,
    stockField: options.stockField,
    currencyCode: options.config.currencyCode,
    stockEdits: options.config.stockEdits,
    writeStock: async (levels) => {
      await access.stockSync.syncInventory(levels, logger)
    },
    logger,
  })

  function status(): { state: FollowerState; lastErrorCode?: string } {
    if (streams.length === 0) return { state: stopped ? 'stopped' : 'standby' }
    const statuses: SubscriptionStatus[] = streams.map((stream) => stream.status())
    const failing = statuses.find((s) => s.state !== 'live')
    if (!failing) return { state: 'live' }
    return { state: failing.state === 'stopped' ? 'retrying' : failing.state, lastErrorCode: failing.lastErrorCode }
  }

  /**
   * Writes this process's account of the streams into the lease row when it changed. One write at a time, each
   * reading the state when it runs, so an older state never lands after a newer one.
   */
  let reporting: Promise<void> = Promise.resolve()
  function report(): Promise<void> {
    const write = async () => {
      const { state, lastErrorCode } = status()
      const line = `${state} ${lastErrorCode ?? ''}`
      if (line === lastReported) return
      await reportState(db.kysely, orgKey, holder, state, lastErrorCode)
      lastReported = line
    }
    reporting = reporting.then(write, write)
    return reporting
  }

  async function begin() {
    const row = await db.kysely
      .selectFrom('pubsub_subscribers')
      .select('imported_at')
      .where('org_key', '=', orgKey)
      .executeTakeFirst()
    if (master && !row?.imported_at) await applier.importWhole('first start')
    if (stopped || !holding) return
    streams = topics.map((topic) =>
      subscribeToTopic({
        client,
        topicName: topic,
        tokens: access.tokens,
        ...(orgKey === DEFAULT_ORG_KEY ? {} : { orgId: orgKey }),
        replayStart: async (): Promise<ReplayStart> => {
          const replayId = await storedReplayId(db.kysely, orgKey, topic)
          if (replayId) return { preset: 'CUSTOM', replayId }
          applier.reconcileWhenAnswered(topic)
          return { preset: 'LATEST' }
        },
        applyEvents: (events) => applier.applyEvents(topic, events),
        caughtUp: (latest) => applier.caughtUp(topic, latest),
        replayRejected: () => applier.replayRejected(topic),
        opened: () => {
          applier.reconcileNow(topic).catch((error: unknown) => {
            logger.warn({ err: error, topic }, 'the catalog could not be read again; it is, once the stream answers')
          })
        },
        // Every dyno's /healthz reads the state from the lease row: it is written at once, not at the next renewal.
        statusChanged: () => {
          report().catch(() => {})
        },
        logger,
      }),
    )
    runs = streams.map((stream) =>
      stream.run().catch((error: unknown) => {
        logger.warn({ err: error }, 'change events stopped: the subscription is no longer this process’s')
        holding = false
        end()
      }),
    )
  }

  function end() {
    for (const stream of streams) stream.stop()
    streams = []
  }

  async function tick() {
    if (stopped) return
    const asked = Date.now()
    try {
      if (await takeLease(db.kysely, orgKey, holder)) {
        safeUntil = asked + LEASE_MS - LEASE_MARGIN_MS
        holding = true
        // Not awaited: the lease goes on being renewed while a first import runs.
        if (streams.length === 0 && !beginning) {
          logger.info('this process subscribes to the org’s change events')
          beginning = begin()
            .catch((error: unknown) => logger.warn({ err: error }, 'the catalog could not be imported; trying again'))
            .finally(() => {
              beginning = undefined
            })
        }
        await report()
      } else if (holding) {
        logger.warn('another process holds the org’s change events now; this one stops')
        holding = false
        end()
      }
    } catch (error) {
      logger.warn({ err: error }, 'the change-event lease could not be taken or renewed')
    }
    if (holding && Date.now() > safeUntil) {
      logger.warn('the change-event lease could not be renewed in time; this process stops streaming')
      holding = false
      end()
    }
  }

  function schedule() {
    if (stopped) return
    timer = setTimeout(() => {
      tick().finally(schedule)
    }, RENEW_MS)
    timer.unref()
  }

  return {
    orgKey,
    access,
    start() {
      void tick().finally(schedule)
    },
    /** Stops the streams, waits for a batch or an import under way, lets the lease go and closes the channel. */
    async stop() {
      stopped = true
      clearTimeout(timer)
      end()
      await Promise.allSettled([...runs, beginning])
      await releaseLease(db.kysely, orgKey, holder).catch(() => {})
      client.close()
    },
    status,
  }
}

export type OrgFollower = ReturnType<typeof followOrg>
