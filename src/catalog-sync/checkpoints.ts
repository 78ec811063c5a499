// Where each org's topics resume: the replay id of the last change applied, written in that change's transaction,
// and the event ids applied, so that an event delivered twice (after a reconnect, or by Salesforce itself) is
// applied once. Replay ids are opaque bytes ("store them as bytes": Pub/Sub API guide), kept as base64.
import type { Kysely } from 'kysely'
import { deleteOlderThan } from '../db/delete-older-than.js'
import type { Tables } from '../db/tables.js'

/** Applied event ids are kept past Salesforce's 72-hour retention (no event older can come again), then purged. */
export const APPLIED_EVENTS_KEPT_MS = 4 * 24 * 3600_000

/** The stored replay id; undefined when there is none (start from LATEST). */
export async function storedReplayId(db: Kysely<Tables>, orgKey: string, topic: string): Promise<Buffer | undefined> {
  const row = await db
    .selectFrom('pubsub_checkpoints')
    .select('replay_id')
    .where('org_key', '=', orgKey)
    .where('topic', '=', topic)
    .executeTakeFirst()
  return row?.replay_id ? Buffer.from(row.replay_id, 'base64') : undefined
}

export async function saveReplayId(
  trx: Kysely<Tables>,
  orgKey: string,
  topic: string,
  replayId: Buffer | null,
  lastChange?: { at: number; delayMs: number },
): Promise<void> {
  const now = new Date().toISOString()
  const values = {
    replay_id: replayId ? replayId.toString('base64') : null,
    applied_at: now,
    ...(lastChange ? { last_change_at: new Date(lastChange.at).toISOString(), delay_ms: lastChange.delayMs } : {}),
  }
  await trx
    .insertInto('pubsub_checkpoints')
    .values({ org_key: orgKey, topic, ...values })
    .onConflict((conflict) => conflict.columns(['org_key', 'topic']).doUpdateSet(values))
    .execute()
}

/** After a replay id was refused: the topic starts again from LATEST. */
export async function forgetReplayIds(trx: Kysely<Tables>, orgKey: string, topic: string): Promise<void> {
  await trx
    .updateTable('pubsub_checkpoints')
    .set({ replay_id: null })
    .where('org_key', '=', orgKey)
    .where('topic', '=', topic)
    .execute()
}

/** Records the events as applied; returns the ids that were not already (those are the ones to apply). */
export async function firstDeliveries(trx: Kysely<Tables>, orgKey: string, eventIds: string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set()
  const now = new Date().toISOString()
  const rows = await trx
    .insertInto('pubsub_applied_events')
    .values(eventIds.map((eventId) => ({ org_key: orgKey, event_id: eventId, applied_at: now })))
    .onConflict((conflict) => conflict.columns(['org_key', 'event_id']).doNothing())
    .returning('event_id')
    .execute()
  return new Set(rows.map((row) => row.event_id))
}

/** Forgets applied event ids past APPLIED_EVENTS_KEPT_MS; returns how many went. */
export function purgeAppliedEvents(db: Kysely<Tables>): Promise<number> {
  const cutoff = new Date(Date.now() - APPLIED_EVENTS_KEPT_MS).toISOString()
  // Event ids are UUIDs, so the id alone names a row for the batch's subquery.
  return deleteOlderThan(db, { table: 'pubsub_applied_events', key: 'event_id', time: 'applied_at', cutoff })
}
