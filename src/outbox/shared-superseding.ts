// The superseding of older pending changes (repository.ts), done once for every org's publisher: each asks for it
// before its claims, and they share one pass and one place in the outbox.
import type { Database } from '../db/connect.js'
import { newestChangeId, supersedeOlderChanges } from './repository.js'

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

/** Brings the superseding up to date; callers while a pass runs share it. */
export function sharedSuperseding(db: Database): () => Promise<void> {
  /** The changes up to this id have been looked at for the older changes they supersede. */
  let supersededUpTo = 0
  let running: Promise<void> | undefined
  /**
   * Up to the newest change written before the pass began, and no further: during a burst of orders, new changes
   * commit all the time, and a pass that chased them would never end, holding back every publish behind it.
   */
  async function catchUp() {
    const newest = await newestChangeId(db)
    while (supersededUpTo < newest) {
      const upTo = await supersedeOlderChanges(db, supersededUpTo, newest)
      if (upTo === undefined) return
      supersededUpTo = upTo
      // A turn of the event loop between batches, so requests are served throughout a long backlog.
      await nextTurn()
    }
  }
  return () => {
    running ??= catchUp().finally(() => {
      running = undefined
    })
    return running
  }
}
