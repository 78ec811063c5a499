// Forgets idempotency keys once they are past the retention window, hourly and at start-up.
import type { FastifyInstance } from 'fastify'
import type { Store } from '../store/index.js'

const PURGE_INTERVAL_MS = 3600_000

export function scheduleIdempotencyPurge(app: FastifyInstance, store: Store) {
  const purge = () =>
    store.purgeExpiredIdempotencyKeys().then(
      (count) => count > 0 && app.log.info({ count }, 'expired idempotency keys removed'),
      (error: unknown) => app.log.warn({ err: error }, 'could not remove expired idempotency keys'),
    )
  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    void purge()
    timer = setInterval(purge, PURGE_INTERVAL_MS).unref()
  })
  app.addHook('onClose', async () => clearInterval(timer))
}
