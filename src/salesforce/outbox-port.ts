// What the event publisher needs of the stock-event outbox, as one org sees it, and what it hands back.

/** A stock change waiting to be published: the event it becomes, and how often publishing it has failed. */
export interface StockEvent {
  id: number
  productId: number
  sku: string
  quantityInStock: number
  attempts: number
  /** When the oldest change this event carries to the org was made: how long the org has been behind on it. */
  changedSince: Date
}

/** One publish call, as the admin's figures count it. */
export interface PublishCallRecord {
  events: number
  /** From the oldest change the call carried to its answer; undefined when the call failed as a whole. */
  delayMs?: number
  errorCode?: string
}

/**
 * One org's view of the outbox, as its publisher needs it (src/salesforce-store.ts provides it over outbox/): every
 * org sees the same changes, and keeps its own progress, leases and retries.
 */
export interface Outbox {
  /** Brings up to date the superseding of older pending changes by newer ones (shared by every org's publisher). */
  supersedeOlderChanges(): Promise<void>
  /** The newest due change of up to `productLimit` products this org lacks, leased: one event per product. */
  claimDueEvents(productLimit: number, leaseMs: number): Promise<StockEvent[]>
  /** This org accepted each product's change `upToId`, and with it the older changes of the product. */
  markPublished(published: Array<{ productId: number; upToId: number }>): Promise<void>
  /** The events' products wait until `retryAt`, unless a newer change of theirs comes first. */
  scheduleRetry(events: StockEvent[], retryAt: Date, code: string, reason: string): Promise<void>
  /** Makes due now the products waiting out a failed call; not those whose own event failed with `exceptCode`. */
  retryWaitingNow(exceptCode: string): Promise<number>
  recordCall(call: PublishCallRecord): Promise<void>
}
