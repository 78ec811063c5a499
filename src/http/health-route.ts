import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { Static } from 'typebox'
import type { Database } from '../db/connect.js'
import { Health } from './health-schema.js'

/** What the publishing to every org reports, in the shape /healthz answers it. */
type HealthOfSalesforce = Static<typeof Health>['salesforce']
type HealthOfCatalogSync = NonNullable<Static<typeof Health>['catalogSync']>

/** A stock event that has waited this long to reach Salesforce makes the service "degraded" (still 200). */
const EVENTS_LATE_AFTER_S = 300

// Unauthenticated and kept out of the OpenAPI contract: it is for Heroku and operators, not for Flow. It tells a
// stranger no more than codes and counts.
export async function healthRoutes(
  app: FastifyInstance,
  options: {
    database: Pick<Database, 'ping'>
    /** flowcart's publishing to its orgs (src/publishing/): codes and counts for every org together. */
    salesforce?: { health(): Promise<HealthOfSalesforce> }
    /** The catalog following Salesforce: each org's subscription, as its holder reported it. */
    catalogSync?: { health(): Promise<HealthOfCatalogSync> }
    /** Salesforce is on, even when flowcart publishes nothing of its own (AppLink mode without an authorization). */
    salesforceOn: boolean
    meshHealthCheck: boolean
  },
) {
  const { database, salesforce } = options
  const routes = app.withTypeProvider<TypeBoxTypeProvider>()
  // AppLink's service mesh asks GET /healthcheck, which it lets through without AppLink authentication
  // (heroku-reference-apps/applink-getting-started-nodejs, its /healthcheck route); Heroku and operators ask /healthz.
  const paths = options.meshHealthCheck ? ['/healthz', '/healthcheck'] : ['/healthz']
  for (const path of paths)
    routes.get(path, { schema: { hide: true, response: { 200: Health, 503: Health } } }, async (_request, reply) => {
      const databaseOk = await database.ping()
      const salesforceHealth =
        salesforce && databaseOk ? await salesforce.health() : { configured: options.salesforceOn, pendingEvents: 0 }
      const catalogSync = options.catalogSync && databaseOk ? await options.catalogSync.health() : undefined
      const late = (salesforceHealth.oldestPendingSeconds ?? 0) > EVENTS_LATE_AFTER_S
      const failing = catalogSync?.orgs.some((org) => org.state === 'retrying') ?? false
      return reply.code(databaseOk ? 200 : 503).send({
        status: databaseOk ? (late || failing ? 'degraded' : 'ok') : 'unavailable',
        database: databaseOk ? 'ok' : 'unreachable',
        salesforce: salesforceHealth,
        ...(catalogSync ? { catalogSync } : {}),
      })
    })
}
