// Which process subscribes to an org's change events: the one holding the org's lease row. A lease lasts LEASE_MS and
// its holder renews it every RENEW_MS; a process that dies stops renewing, and another takes the org over once the
// lease has run out (within LEASE_MS + the takers' RENEW_MS: 20 s). Every applied batch checks, in its own
// transaction, that this process still holds the lease (a row lock on PostgreSQL), so a process that stalled past its
// lease can never apply a change after the new holder has: that is what keeps "never two" true, not the clocks.
import type { Kysely } from 'kysely'
import type { Tables } from '../db/tables.js'

export const LEASE_MS = 15_000
export const RENEW_MS = 5_000

export class LeaseLost extends Error {
  override name = 'LeaseLost'
  readonly leaseLost = true
  constructor(orgKey: string) {
    super(`This process no longer holds the change-event subscription of ${orgKey}`)
  }
}

const until = (now: number) => new Date(now + LEASE_MS).toISOString()

/** Takes the org's lease when it is free or run out, or renews it when this process holds it; true when held. */
export async function takeLease(db: Kysely<Tables>, orgKey: string, holder: string): Promise<boolean> {
  const now = Date.now()
  const row = await db
    .insertInto('pubsub_subscribers')
    .values({ org_key: orgKey, holder, held_until: until(now), state: 'connecting' })
    .onConflict((conflict) =>
      conflict
        .column('org_key')
        .doUpdateSet({ holder, held_until: until(now) })
        .where((eb) =>
          eb.or([
            eb('pubsub_subscribers.holder', '=', holder),
            eb('pubsub_subscribers.holder', 'is', null),
            eb('pubsub_subscribers.held_until', 'is', null),
            eb('pubsub_subscribers.held_until', '<', new Date(now).toISOString()),
          ]),
        ),
    )
    .returning('holder')
    .executeTakeFirst()
  return row?.holder === holder
}

/** Lets the org go at once (a clean shutdown), so another process need not wait for the lease to run out. */
export async function releaseLease(db: Kysely<Tables>, orgKey: string, holder: string): Promise<void> {
  await db
    .updateTable('pubsub_subscribers')
    .set({ holder: null, held_until: null, state: 'stopped' })
    .where('org_key', '=', orgKey)
    .where('holder', '=', holder)
    .execute()
}

/**
 * Inside an applying transaction: throws LeaseLost unless this process still holds the org, and renews the lease (a
 * long import or batch keeps it). `holder = me` is the whole fence: a takeover rewrites the holder, and on PostgreSQL
 * this update waits for (or blocks) the takeover's own on the row lock, so the two never both commit.
 */
export async function checkLease(trx: Kysely<Tables>, orgKey: string, holder: string): Promise<void> {
  const result = await trx
    .updateTable('pubsub_subscribers')
    .set({ held_until: until(Date.now()) })
    .where('org_key', '=', orgKey)
    .where('holder', '=', holder)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) !== 1) throw new LeaseLost(orgKey)
}

/** The holder's account of its subscription, for every dyno's /healthz and status page. */
export async function reportState(
  db: Kysely<Tables>,
  orgKey: string,
  holder: string,
  state: string,
  lastErrorCode: string | undefined,
): Promise<void> {
  await db
    .updateTable('pubsub_subscribers')
    .set({ state, last_error_code: lastErrorCode ?? null })
    .where('org_key', '=', orgKey)
    .where('holder', '=', holder)
    .execute()
}
