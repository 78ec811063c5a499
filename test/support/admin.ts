// The admin surface in tests: its login, the app with it on (and, when given, the publishing side's figures), and
// rows written as the order writer and the publisher write them, at the times a test needs.
import type { FastifyInstance } from 'fastify'
import type { OrgSyncFigures, SyncFigures } from '../../src/admin/sync-figures.js'
import { buildApp } from '../../src/app.js'
import type { Database } from '../../src/db/connect.js'
import { createLogger } from '../../src/logger.js'
import { basicAuth, databaseUrlFor, type EngineName, openTestDatabase, registerCleanup, testConfig } from '../helper.js'

export const ADMIN_USER = 'ops'
export const ADMIN_PASSWORD = 'admin-password-4Tq9zLm2'
export const ADMIN_ENV = { ADMIN_USERNAME: ADMIN_USER, ADMIN_PASSWORD }
export const adminHeaders = { authorization: basicAuth(ADMIN_USER, ADMIN_PASSWORD) }

/** A publishing side that answers from a table, and "gets no events" for any other org. */
export function syncFiguresOf(byOrg: Record<string, OrgSyncFigures>): SyncFigures {
  return {
    async forOrg(orgKey) {
      return byOrg[orgKey] ?? { publishesVia: 'none', eventsPending: 0, oldestPendingSeconds: null, token: 'none' }
    },
  }
}

/** The real app with the admin surface on, over a prepared database the test can write to; both closed after it. */
export async function startAdminApp(
  engine: EngineName,
  options: { syncFigures?: SyncFigures; env?: Record<string, string> } = {},
): Promise<{ app: FastifyInstance; db: Database }> {
  const databaseUrl = await databaseUrlFor(engine)
  const db = await openTestDatabase(databaseUrl)
  const config = testConfig({ DATABASE_URL: databaseUrl, ...ADMIN_ENV, ...options.env })
  const app = await buildApp(config, { logger: createLogger('silent'), db, syncFigures: options.syncFigures })
  registerCleanup(() => app.close())
  await app.ready()
  return { app, db }
}

export const ago = (ms: number, now = Date.now()) => new Date(now - ms).toISOString()
export const MINUTE = 60_000
export const DAY = 24 * 60 * MINUTE

/** An order as the order writer stores it, placed at `at` by `orgId` (null: the default org). */
export async function insertOrder(
  db: Database,
  order: { orgId: string | null; currencyCode: string; totalCents: number; at: string },
) {
  await db.kysely
    .insertInto('orders')
    .values({
      status: 'placed',
      customer_email: null,
      currency_code: order.currencyCode,
      total_cents: order.totalCents,
      created_at: order.at,
      org_id: order.orgId,
      user_id: null,
    })
    .execute()
}

/** A publish call as the publisher logs it: a success with its delay, or a failure with its code. */
export async function insertPublishCall(
  db: Database,
  call: { orgKey: string; at: string; delayMs?: number; errorCode?: string; events?: number },
) {
  await db.kysely
    .insertInto('publish_calls')
    .values({
      org_key: call.orgKey,
      called_at: call.at,
      events: call.events ?? 1,
      delay_ms: call.errorCode ? null : (call.delayMs ?? 100),
      error_code: call.errorCode ?? null,
    })
    .execute()
}
