// Every publish call to an org, kept two days: the admin's figures (last publish, last error, the sync delay over
// the last 24 hours) read them, whichever dyno made the call.
import type { Kysely } from 'kysely'
import { deleteOlderThan } from '../db/delete-older-than.js'
import type { Tables } from '../db/tables.js'

export interface PublishCall {
  events: number
  /** From the oldest change the call carried to its answer; undefined when the call failed as a whole. */
  delayMs?: number
  /** The failure's stable code; undefined when Salesforce accepted the call. */
  errorCode?: string
}

export async function recordPublishCall(db: Kysely<Tables>, orgKey: string, call: PublishCall): Promise<void> {
  await db
    .insertInto('publish_calls')
    .values({
      org_key: orgKey,
      called_at: new Date().toISOString(),
      events: call.events,
      delay_ms: call.delayMs === undefined ? null : Math.round(call.delayMs),
      error_code: call.errorCode ?? null,
    })
    .execute()
}

/** Calls older than two days go: the status page shows one. */
export function purgeOldPublishCalls(db: Kysely<Tables>, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - 2 * 24 * 3600_000).toISOString()
  return deleteOlderThan(db, { table: 'publish_calls', key: 'id', time: 'called_at', cutoff })
}
