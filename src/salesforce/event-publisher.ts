// Publishes the stock-event outbox to Salesforce as platform events: batched, coalesced per product, retried.
import { DatabaseUnavailable } from '../errors.js'
import type { PendingStockEvent } from '../outbox/repository.js'
import type { SalesforceClient } from './client.js'
import type { SalesforceConfig } from './config.js'
import { SalesforceError } from './errors.js'
import { INVENTORY_EVENT_FIELDS } from './names.js'
import type { SalesforceLogger } from './token-provider.js'

/** The outbox as the publisher needs it (the Store provides it). */
export interface Outbox {
  claimDueEvents(productLimit: number, leaseMs: number): Promise<PendingStockEvent[]>
  markPublished(published: Array<{ productId: number; upToId: number }>): Promise<void>
  scheduleRetry(ids: number[], retryAt: Date, error: string): Promise<void>
}

export interface PublisherStatus {
  lastPublishedAt: string | undefined
  /**
   * The stable code of the last failure (SALESFORCE_AUTH, SALESFORCE_UNAVAILABLE, SALESFORCE_ERROR,
   * SALESFORCE_LIMIT_EXCEEDED, EVENT_REJECTED, DATABASE_UNAVAILABLE, INTERNAL): /healthz is open to anyone, so Salesforce's own words
   * (which name the org's users and apps) go to the log only.
   */
  lastError: string | undefined
}

function failureCode(error: unknown): string {
  if (error instanceof SalesforceError) return error.code
  return error instanceof DatabaseUnavailable ? 'DATABASE_UNAVAILABLE' : 'INTERNAL'
}

export interface PublisherOptions {
  /** Safety-net poll for rows left by a restart or waiting for their retry (a change itself starts a drain). */
  pollIntervalMs?: number
  retryBaseMs?: number
  retryMaxMs?: number
}

/** sObject Collections takes up to 200 records a call; a round claims that many products, so it is one call. */
const EVENTS_PER_CALL = 200
/**
 * A lease must outlast the one call of its round (bounded by SF_TIMEOUT_MS, token and one re-send included) and the
 * database write after it. It is no longer than that: rows claimed by a dyno that was killed mid-publish are free
 * again 15 s later at the defaults, for the next poll of any dyno.
 */
const LEASE_MARGIN_MS = 5000

/** Exponential backoff with jitter (between half and all of the exponential delay). */
export function retryDelay(attempts: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempts)
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2))
}

/** The newest pending change of each product: its quantity is the stock after every change so far. */
function latestPerProduct(rows: PendingStockEvent[]): PendingStockEvent[] {
  const latest = new Map<number, PendingStockEvent>()
  for (const row of rows) {
    const seen = latest.get(row.product_id)
    if (!seen || seen.id < row.id) latest.set(row.product_id, row)
  }
  return [...latest.values()]
}

export function createEventPublisher(
  client: SalesforceClient,
  outbox: Outbox,
  config: SalesforceConfig,
  logger: SalesforceLogger,
  options: PublisherOptions = {},
) {
  const { pollIntervalMs = 5000, retryBaseMs = 1000, retryMaxMs = 300_000 } = options
  const leaseMs = config.api.timeoutMs + LEASE_MARGIN_MS
  const status: PublisherStatus = { lastPublishedAt: undefined, lastError: undefined }
  let running: Promise<void> | undefined
  let again = false
  let timer: NodeJS.Timeout | undefined
  let lingering: NodeJS.Timeout | undefined
  let stopped = true

  async function publishChunk(rows: PendingStockEvent[], events: PendingStockEvent[]) {
    const products = new Set(events.map((event) => event.product_id))
    const claimed = rows.filter((row) => products.has(row.product_id))
    try {
      const results = await client.createRecords(
        config.inventoryEvent,
        events.map((event) => ({
          [INVENTORY_EVENT_FIELDS.productId]: event.product_id,
          [INVENTORY_EVENT_FIELDS.sku]: event.sku,
          [INVENTORY_EVENT_FIELDS.quantityInStock]: event.quantity_in_stock,
        })),
      )
      const published = events.filter((_, index) => results[index]?.success)
      await outbox.markPublished(published.map((event) => ({ productId: event.product_id, upToId: event.id })))
      const failed = events.filter((_, index) => !results[index]?.success)
      if (published.length > 0) {
        status.lastPublishedAt = new Date().toISOString()
        if (failed.length === 0) status.lastError = undefined
      }
      if (failed.length > 0) {
        const reason = results
          .find((result) => !result.success)
          ?.errors.map((e) => `${e.statusCode}: ${e.message}`)
          .join('; ')
        await retryLater(
          claimed.filter((row) => failed.some((event) => event.product_id === row.product_id)),
          'EVENT_REJECTED',
          reason ?? 'rejected',
        )
      }
      logger.info(
        { published: published.length, failed: failed.length, rows: claimed.length },
        'stock events published',
      )
    } catch (error) {
      await retryLater(claimed, failureCode(error), (error as Error).message)
    }
  }

  async function retryLater(rows: PendingStockEvent[], code: string, reason: string) {
    if (rows.length === 0) return
    status.lastError = code
    const attempts = Math.max(...rows.map((row) => row.attempts))
    const retryAt = new Date(Date.now() + retryDelay(attempts, retryBaseMs, retryMaxMs))
    await outbox.scheduleRetry(
      rows.map((row) => row.id),
      retryAt,
      reason,
    )
    logger.warn(
      { events: rows.length, retryAt: retryAt.toISOString(), code, reason },
      'stock events not published; will retry',
    )
  }

  async function drainDue() {
    for (;;) {
      const rows = await outbox.claimDueEvents(EVENTS_PER_CALL, leaseMs)
      if (rows.length === 0) return
      const events = latestPerProduct(rows)
      await publishChunk(rows, events)
      if (events.length < EVENTS_PER_CALL) return
    }
  }

  /** Runs one drain at a time; a request during a drain triggers one more drain after it. */
  function drain(): Promise<void> {
    if (running) {
      again = true
      return running
    }
    running = drainDue()
      .catch((error: unknown) => {
        status.lastError = failureCode(error)
        // A lost or busy database connection is the platform's, not a fault of the dispatcher: the rows stay in the
        // outbox, and the next change or poll drains them.
        if (error instanceof DatabaseUnavailable) logger.warn({ err: error }, 'stock events wait for the database')
        else logger.error({ err: error }, 'stock event dispatcher failed')
      })
      .finally(() => {
        running = undefined
        if (again && !stopped) {
          again = false
          void drain()
        }
      })
    return running
  }

  /**
   * A stock change was committed: drain once SF_PUBLISH_LINGER_MS have passed since the first change not yet on its
   * way, so the changes of a burst leave in one call. The linger runs while an earlier call is under way, so an
   * event waits at most the linger or that call, whichever is longer, before its own call.
   */
  function changed() {
    if (stopped || lingering) return
    lingering = setTimeout(() => {
      lingering = undefined
      void drain()
    }, config.publishLingerMs)
  }

  return {
    status: (): PublisherStatus => ({ ...status }),
    /** Waits for any drain under way, then drains what is due now (tests and the demo wait on it). */
    async publishDue() {
      while (running) await running
      await drain()
    },
    changed,
    start() {
      stopped = false
      timer = setInterval(() => void drain(), pollIntervalMs)
      timer.unref()
      void drain()
    },
    async stop() {
      stopped = true
      clearInterval(timer)
      clearTimeout(lingering)
      lingering = undefined
      await running
    },
  }
}

export type EventPublisher = ReturnType<typeof createEventPublisher>
