// The stock-event outbox as the features use it: whether stock changes become events at all (flowcart can sign in to
// Salesforce), their rows written in the change's own transaction, and the publisher told once the change committed.
import type { Kysely } from 'kysely'
import type { Database } from '../db/connect.js'
import type { Tables } from '../db/tables.js'
import { recordStockChanges, type StockChange } from './outbox-rows.js'

export interface StockEventOutbox {
  /** False while flowcart publishes to no org (Salesforce is not configured, or no org has a way in): nothing is recorded. */
  recording(): boolean
  /** Inside the change's transaction, so the event exists exactly when the change does. */
  record(trx: Kysely<Tables>, changes: StockChange[]): Promise<void>
  /**
   * `db.transact(work)` (`db.transactTogether(work)` when `together`), then the listeners are told (after the
   * commit, so they find the rows).
   */
  transact<T>(db: Database, work: (trx: Kysely<Tables>) => Promise<T>, how?: { together: boolean }): Promise<T>
  /** `listener` runs after every committed transaction that may have recorded a change (the event publisher). */
  onCommitted(listener: () => void): void
}

/** Rows per insert: well under SQLite's (32,766) and PostgreSQL's (65,535) limits on parameters. */
const ROWS_PER_INSERT = 500

export function stockEventOutbox({ recording }: { recording: () => boolean }): StockEventOutbox {
  const listeners = new Set<() => void>()
  return {
    recording,
    async record(trx, changes) {
      if (!recording()) return
      for (let start = 0; start < changes.length; start += ROWS_PER_INSERT) {
        await recordStockChanges(trx, changes.slice(start, start + ROWS_PER_INSERT))
      }
    },
    async transact(db, work, how) {
      const result = await (how?.together ? db.transactTogether(work) : db.transact(work))
      for (const listener of listeners) listener()
      return result
    },
    onCommitted(listener) {
      listeners.add(listener)
    },
  }
}
