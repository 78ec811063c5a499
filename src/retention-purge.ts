// Forgets idempotency keys and published stock events past their retention, hourly and at start-up.
import type { FastifyInstance } from 'fastify'
import type { Store } from './store.js'

const PURGE_INTERVAL_MS = 3600_000

export function scheduleRetentionPurge(app: FastifyInstance, store: Store) {
  const purge = () =>
    store.purgeExpiredRecords().then(
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
