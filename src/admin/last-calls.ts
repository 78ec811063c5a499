// When each org last called the API (org_calls), for the admin's figures. Recorded once the caller is authenticated,
// at most once a minute per org and process, and never on the request's path: the write is not awaited, and a write
// that fails is a warning in the log, never a failed request.
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Tables } from '../db/tables.js'
import { orgKeyOf } from './org-key.js'
import { recordLastCall } from './repository.js'

/** "Last call" is shown to the minute: one write a minute per org keeps it so on a busy dyno. */
export const RECORD_EVERY_MS = 60_000

/**
 * Adds the recording to the routes of `api`, after the authentication hook registered before it (which sets the
 * caller: `request.invoker` in AppLink mode, `request.orgLogin` for a registered org's login in basic mode).
 */
export function recordLastCalls(api: FastifyInstance, db: Kysely<Tables>, everyMs = RECORD_EVERY_MS) {
  const recordedAt = new Map<string, number>()
  const writing = new Set<Promise<void>>()
  api.addHook('onRequest', (request, _reply, done) => {
    const key = orgKeyOf(request.invoker?.orgId ?? request.orgLogin)
    const now = Date.now()
    const last = recordedAt.get(key)
    if (last === undefined || now - last >= everyMs) {
      recordedAt.set(key, now)
      const write: Promise<void> = recordLastCall(db, key, new Date(now).toISOString())
        .catch((error: unknown) => {
          // The next call tries again rather than wait out the minute.
          if (recordedAt.get(key) === now) recordedAt.delete(key)
          request.log.warn({ err: error, orgKey: key }, "the org's last call was not recorded")
        })
        .finally(() => writing.delete(write))
      writing.add(write)
    }
    done()
  })
  // A write still under way when the app closes finishes before the database is closed.
  api.addHook('onClose', async () => {
    await Promise.all(writing)
  })
}
