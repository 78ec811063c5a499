// Publishes the stock-event outbox to Salesforce as platform events: batched, coalesced per product, retried.
import { DatabaseUnavailable } from '../errors.js'
import type { SalesforceClient } from './client.js'
import type { SalesforceConfig } from './config.js'
import { SalesforceError, SalesforceLimitError } from './errors.js'
import { INVENTORY_EVENT_FIELDS } from './names.js'
import type { Outbox, StockEvent } from './outbox-port.js'
import { type RecordResult, recordErrorsText } from './record-result.js'
import type { SalesforceLogger } from './token-provider.js'

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
  /**
   * The longest wait after a call that failed as a whole (the org down, slow, refusing the token): an org that
   * recovers gets its latest stock within about this long, even when nothing changes meanwhile.
   */
  retryMaxMs?: number
  /**
   * The longest wait for an event the org refused on its own (EVENT_REJECTED: sending it again soon would not help)
   * and after the org's daily API limit was reached (it frees up over hours, not seconds).
   */
  refusedRetryMaxMs?: number
}

/** sObject Collections takes up to 200 records a call; a round claims that many products, so it is one call. */
const EVENTS_PER_CALL = 200
/**
 * A lease must outlast the one call of its round (bounded by SF_TIMEOUT_MS, token and one re-send included) and the
 * database writes after it. It is no longer than that: rows claimed by a dyno that was killed mid-publish are free
 * again 15 s later at the defaults, for the next poll of any dyno.
 */
const LEASE_MARGIN_MS = 5000
/** The code of an event Salesforce refused on its own, in a call it otherwise accepted. */
const REJECTED = 'EVENT_REJECTED'

/** "1 stock event", "3 stock events": log lines a person reads. */
const countOf = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

/** Exponential backoff with jitter (between half and all of the exponential delay). */
export function retryDelay(attempts: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempts)
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2))
}

export function createEventPublisher(
  client: SalesforceClient,
  outbox: Outbox,
  config: SalesforceConfig,
  logger: SalesforceLogger,
  options: PublisherOptions = {},
) {
  const { pollIntervalMs = 5000, retryBaseMs = 1000, retryMaxMs = 10_000, refusedRetryMaxMs = 300_000 } = options
  const leaseMs = config.api.timeoutMs + LEASE_MARGIN_MS
  const status: PublisherStatus = { lastPublishedAt: undefined, lastError: undefined }
  let running: Promise<void> | undefined
  let again = false
  let timer: NodeJS.Timeout | undefined
  let lingering: NodeJS.Timeout | undefined
  /** The drain set for when the earliest retry is due, so a recovered org is found then, not at the next poll. */
  let waking: { timer: NodeJS.Timeout; at: number } | undefined
  let stopped = true
  /** Whether products may be waiting out the backoff of a failed call (at start: an earlier process may have left some). */
  let waitingMayExist = true
  /** Set after REQUEST_LIMIT_EXCEEDED: no call before then. */
  let pausedUntil = 0
  /** The code of the failure that stopped publishing, until a call succeeds again (logged then, once). */
  let failingWith: string | undefined

  /**
   * Publishes one claimed round. True when another call should follow at once: the round was full (a backlog), or
   * Salesforce answering again made products waiting out an outage due. False when the call as a whole failed, or
   * when what was due has left: the changes that arrive meanwhile start their own linger, so a burst of orders
   * leaves in a few calls instead of one call per round trip.
   */
  async function publishRound(events: StockEvent[]): Promise<boolean> {
    let results: RecordResult[]
    try {
      results = await client.createRecords(
        config.inventoryEvent,
        events.map((event) => ({
          [INVENTORY_EVENT_FIELDS.productId]: event.productId,
          [INVENTORY_EVENT_FIELDS.sku]: event.sku,
          [INVENTORY_EVENT_FIELDS.quantityInStock]: event.quantityInStock,
        })),
      )
    } catch (error) {
      // The org's API limit is used up: this dispatcher sends nothing to it until the limit's usual wait has passed
      // (at most the longest wait for a refusal), not even the products this round did not claim.
      const limitMs =
        error instanceof SalesforceLimitError ? Math.min(error.retryAfterSeconds * 1000, refusedRetryMaxMs) : 0
      failingWith = failureCode(error)
      await outbox.recordCall({ events: events.length, errorCode: failingWith })
      const retryAt = await retryLater(events, failingWith, (error as Error).message, limitMs)
      if (limitMs > 0) pausedUntil = retryAt.getTime()
      return false
    }
    const published = events.filter((_, index) => results[index]?.success)
    const failed = events.filter((_, index) => !results[index]?.success)
    await outbox.markPublished(published.map((event) => ({ productId: event.productId, upToId: event.id })))
    const oldestChange = Math.min(...events.map((event) => event.changedSince.getTime()))
    await outbox.recordCall({
      events: events.length,
      delayMs: Math.max(0, Date.now() - oldestChange),
      ...(failed.length > 0 ? { errorCode: REJECTED } : {}),
    })
    let madeDue = 0
    if (published.length > 0) {
      status.lastPublishedAt = new Date().toISOString()
      if (failed.length === 0) status.lastError = undefined
      // Salesforce answers again: the products still waiting out an outage's backoff (up to 10 s) follow now,
      // one call after another, instead of each at the end of its own delay.
      // Only after failures this process saw, or once at start for what an earlier process left waiting: a call that
      // follows a success finds nothing waiting, and spares the database the look.
      if (waitingMayExist) madeDue = await outbox.retryWaitingNow(REJECTED)
      waitingMayExist = false
    }
    if (failed.length > 0) {
      const refusal = results.find((result) => !result.success)
      await retryLater(failed, REJECTED, refusal ? recordErrorsText(refusal) : 'rejected', 0, refusedRetryMaxMs)
    }
    const refused = failed.length > 0 ? `, ${failed.length} refused` : ''
    logger.info(
      { published: published.length, failed: failed.length },
      `${countOf(published.length, 'stock event')} published${refused}`,
    )
    if (failingWith !== undefined) {
      logger.info({ code: failingWith }, `stock events publishing again after ${failingWith}`)
      failingWith = undefined
    }
    return events.length === EVENTS_PER_CALL || madeDue > 0
  }

  async function retryLater(events: StockEvent[], code: string, reason: string, atLeastMs = 0, maxMs = retryMaxMs) {
    status.lastError = code
    waitingMayExist = true
    const attempts = Math.max(...events.map((event) => event.attempts))
    const retryAt = new Date(Date.now() + Math.max(atLeastMs, retryDelay(attempts, retryBaseMs, maxMs)))
    await outbox.scheduleRetry(events, retryAt, code, reason)
    logger.warn(
      { events: events.length, retryAt: retryAt.toISOString(), code, reason },
      'stock events not published; will retry',
    )
    wakeAt(retryAt.getTime())
    return retryAt
  }

  function wakeAt(at: number) {
    if (stopped || (waking && waking.at <= at)) return
    clearTimeout(waking?.timer)
    const timer = setTimeout(
      () => {
        waking = undefined
        void drain()
      },
      Math.max(0, at - Date.now()),
    )
    timer.unref()
    waking = { timer, at }
  }

  /**
   * First the changes written before the drain began supersede the older ones of their products, then round after
   * round while a backlog lasts: each one claim (about one row per product), one call and its settling. A turn of the
   * event loop comes between any two batches, so requests are served throughout, and a backlog is caught up as fast
   * as Salesforce answers. A failed call ends the drain; the poll, the retry's wake-up and the next change try again.
   */
  async function drainDue() {
    await outbox.supersedeOlderChanges()
    while (Date.now() >= pausedUntil) {
      const events = await outbox.claimDueEvents(EVENTS_PER_CALL, leaseMs)
      if (events.length === 0 || !(await publishRound(events))) return
      await nextTurn()
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
        failingWith = status.lastError
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
      clearTimeout(waking?.timer)
      lingering = undefined
      waking = undefined
      await running
    },
  }
}

export type EventPublisher = ReturnType<typeof createEventPublisher>
