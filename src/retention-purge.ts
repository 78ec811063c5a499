// Forgets idempotency keys, published stock events, old publish calls and applied change-event ids past their
// retention, hourly and at start-up.
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { purgeAppliedEvents } from './catalog-sync/checkpoints.js'
import type { Tables } from './db/tables.js'
import { purgeExpiredKeys } from './orders/idempotency.js'
import { purgeOldPublishCalls } from './outbox/publish-calls.js'
import { purgeSentEvents } from './outbox/repository.js'

const PURGE_INTERVAL_MS = 3600_000

/** Idempotency keys, published events and the log of publish calls past their retention; how many rows went. */
export async function purgeExpiredRecords(db: Kysely<Tables>): Promise<number> {
  return (
    (await purgeExpiredKeys(db)) +
    (await purgeSentEvents(db)) +
    (await purgeOldPublishCalls(db)) +
    (await purgeAppliedEvents(db))
  )
}

export function scheduleRetentionPurge(app: FastifyInstance, db: Kysely<Tables>) {
  const purge = () =>
    purgeExpiredRecords(db).then(
      (count) => count > 0 && app.log.info({ count }, 'expired idempotency keys and sent stock events removed'),
      (error: unknown) => app.log.warn({ err: error }, 'could not remove expired records'),
    )
  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    void purge()
    timer = setInterval(purge, PURGE_INTERVAL_MS).unref()
  })
  app.addHook('onClose', async () => clearInterval(timer))
}
