// buildApp: the whole service as a Fastify instance, ready for inject() in tests or listen() in server.ts.
import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { recordLastCalls } from './admin/last-calls.js'
import { adminRoutes } from './admin/routes.js'
import { NO_SYNC_FIGURES, type SyncFigures } from './admin/sync-figures.js'
import { productRoutes } from './catalog/routes.js'
import type { CatalogFollowing } from './catalog-sync/catalog-following.js'
import type { Config } from './config.js'
import { type Connections, watchConnections } from './connections.js'
import { type Database, openDatabase } from './db/connect.js'
import { requireBasicAuth } from './http/auth.js'
import { answerClientError, answerFrameworkError, refuseConnect } from './http/connection-errors.js'
import { registerErrorHandling } from './http/error-handler.js'
import { handleExpectations } from './http/expectations.js'
import { healthRoutes } from './http/health-route.js'
import { requireHttps } from './http/https-only.js'
import { acceptOnlyUtf8Json } from './http/json-body.js'
import { createLoginThrottle } from './http/login-throttle.js'
import { registerOpenApi } from './http/openapi.js'
import { refuseMalformedRequests } from './http/request-framing.js'
import { strictValidatorCompiler } from './http/validation.js'
import { inventoryRoutes } from './inventory/routes.js'
import { createLogger } from './logger.js'
import { orderRoutes } from './orders/routes.js'
import { orgLogins } from './orgs/org-logins.js'
import { stockEventOutbox } from './outbox/stock-event-outbox.js'
import { prepareDatabase } from './prepare-database.js'
import type { OrgPublishing } from './publishing/org-publishing.js'
import { scheduleRetentionPurge } from './retention-purge.js'
import type { PublisherOptions } from './salesforce/event-publisher.js'
import { DEFAULT_ORG_KEY } from './salesforce/product-ids.js'
import { sharedSchemas } from './shared-schemas.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Present when Salesforce is configured: the publishing to every org; tests and the demo wait on it. */
    salesforce?: OrgPublishing
    /** Present when the catalog follows Salesforce (SF_CATALOG_FROM_SALESFORCE=true): every org's subscription. */
    catalogSync?: CatalogFollowing
    /** The server's open connections: the connection limit, errors answered once, and their release on shutdown. */
    connections: Connections
  }
}

export const BODY_LIMIT_BYTES = 256 * 1024
/**
 * Longer than the 90 s for which Heroku's router keeps an idle connection to a dyno open, so the router never sends
 * a request down a connection the dyno is just closing (https://devcenter.heroku.com/articles/http-routing#keepalives;
 * Heroku's own Python template uses 100 s for this reason: heroku/python-getting-started#261).
 */
const KEEP_ALIVE_TIMEOUT_MS = 100_000

export interface AppDependencies {
  logger?: Logger
  /** An open, prepared database, the caller's to close; by default one is opened from config.databaseUrl. */
  db?: Database
  /** Tuning of the platform-event publisher (tests shorten its retry delays). */
  publisherOptions?: PublisherOptions
  /** Each org's publishing figures for the admin's status page (src/admin/sync-figures.ts). */
  syncFigures?: SyncFigures
}

export async function buildApp(config: Config, deps: AppDependencies = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: (deps.logger ?? createLogger(config.logLevel)) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // Slow clients: Node's timers, checked twice a second instead of every 30 s, so the limits hold to the second.
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.idleTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    // Node's own answer to a request without Host is a bare 400; request-framing.ts answers it with the ErrorResponse.
    http: { headersTimeout: config.http.headersTimeoutMs, connectionsCheckingInterval: 500, requireHostHeader: false },
    // Heroku's router sets X-Request-Id; reuse it so one id follows a request through every log line.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Heroku's router appends the address it saw to X-Forwarded-For: trusting that one hop (the router itself, the
    // socket's peer) makes request.ip the client, and anything a client wrote into the header earlier is ignored.
    trustProxy: config.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    // Heroku stops routing to a dyno on SIGTERM; requests already on a connection are answered, not refused.
    return503OnClosing: false,
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
  })
  app.server.on('connect', refuseConnect)
  app.decorate('connections', watchConnections(app.server, { maxConnections: config.http.maxConnections }))
  acceptOnlyUtf8Json(app)

  const db = deps.db ?? (await openOwnDatabase(app, config))
  // Every stock change is recorded for Salesforce in its own transaction while flowcart publishes to any org.
  let salesforce: OrgPublishing | undefined
  const stockEvents = stockEventOutbox({ recording: () => salesforce?.publishesToAnyOrg() ?? false })
  const appLink = config.appLink && (await (await import('./applink/connect.js')).connectAppLink(config.appLink))
  salesforce =
    config.salesforce &&
    (await (
      await import('./publishing/start-publishing.js')
    ).startPublishing({
      db,
      config: config.salesforce,
      stockEvents,
      logger: app.log,
      appLink,
      publisherOptions: deps.publisherOptions,
    }))
  // AppLink mode: getInventory writes into the invoking user's org, with the session the request brings.
  const userStockSync =
    appLink &&
    config.salesforce &&
    (await import('./salesforce/index.js')).createUserStockSync(config.salesforce, app.log)
  if (salesforce) {
    const publishing = salesforce
    app.addHook('onReady', async () => publishing.publisher.start())
    app.addHook('preClose', async () => publishing.publisher.stop())
    app.decorate('salesforce', publishing)
  }
  // The catalog following Salesforce: its subscriber runs in the web process, as the event publisher does, so a
  // one-dyno app has it; a lease per org decides which process subscribes (src/catalog-sync/subscriber-lease.ts).
  const catalogSync =
    config.catalogSync && config.salesforce && salesforce
      ? (await import('./catalog-sync/catalog-following.js')).createCatalogFollowing({
          db,
          stockEvents,
          publishing: salesforce,
          config: config.catalogSync,
          matchField: config.salesforce.productMatchField,
          stockField: config.salesforce.stockField,
          logger: app.log,
        })
      : undefined
  if (catalogSync) {
    app.addHook('onReady', async () => catalogSync.start())
    app.addHook('preClose', async () => catalogSync.stop())
    app.decorate('catalogSync', catalogSync)
  }
  scheduleRetentionPurge(app, db.kysely)

  registerErrorHandling(app)
  for (const schema of sharedSchemas) app.addSchema(schema)
  app.setValidatorCompiler(strictValidatorCompiler(sharedSchemas))
  // Set when the request arrives (a plain callback, no promise) so every answer carries it, errors included.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })
  refuseMalformedRequests(app)
  handleExpectations(app)
  // Behind AppLink's mesh the router and the mesh hold the HTTPS connection; the app's socket is loopback.
  if (config.trustProxy && !config.appLink) requireHttps(app, { refusePlainHttp: config.production })

  await registerOpenApi(app, { publicUrl: config.publicUrl, appLink: Boolean(config.appLink) })
  await app.register(healthRoutes, {
    database: db,
    salesforce,
    catalogSync,
    salesforceOn: config.salesforce !== undefined,
    meshHealthCheck: Boolean(config.appLink),
  })
  // The admin's figures and status page, with a login of their own: outside the Flow callers' scope, so in both modes.
  if (config.admin) {
    await app.register(adminRoutes, {
      credentials: config.admin,
      db: db.kysely,
      redisUrl: config.redisUrl,
      // Each org's publishing as this dyno sees it (src/publishing/): what waits, and its token.
      syncFigures: deps.syncFigures ?? {
        forOrg: async (orgKey) => ({
          ...((await salesforce?.figuresFor(orgKey)) ?? NO_SYNC_FIGURES),
          catalogChanges: (await catalogSync?.changesOf(orgKey)) ?? null,
        }),
      },
    })
  }
  const authenticate = appLink ? appLink.authenticate : await basicAuthFor(app, config, db)
  await app.register(async (api) => {
    await authenticate(api)
    recordLastCalls(api, db.kysely)
    await api.register(productRoutes, { db, stockEvents, catalogFromSalesforce: config.catalogSync !== undefined })
    await api.register(orderRoutes, { db, stockEvents })
    await api.register(inventoryRoutes, {
      db,
      stockEvents,
      // AppLink mode writes as the invoking user; basic mode as the calling org's integration user.
      stockSyncFor: (request) =>
        request.invoker && userStockSync
          ? userStockSync(request.invoker)
          : salesforce?.stockSyncFor(request.orgLogin ?? DEFAULT_ORG_KEY),
    })
  })
  return app
}

/** The database of DATABASE_URL, prepared (migrated, seeded when asked) and closed with the app. */
async function openOwnDatabase(app: FastifyInstance, config: Config): Promise<Database> {
  const db = await openDatabase(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    onConnectionLost: (error) => app.log.warn({ err: error }, 'database connection lost; the pool reconnects'),
  })
  app.addHook('onClose', () => db.close())
  await prepareDatabase(db, { seedDemoData: config.seedDemoData })
  return db
}

/** Basic auth with its login throttle (closed with the app): the default login, and each registered org's. */
async function basicAuthFor(app: FastifyInstance, config: Config, db: Database) {
  const loginThrottle = await createLoginThrottle(config.redisUrl, app.log)
  app.addHook('onClose', () => loginThrottle.close())
  const logins = orgLogins(db)
  return (api: FastifyInstance) =>
    requireBasicAuth(api, { username: config.apiUsername, passwords: config.apiPasswords }, loginThrottle, logins)
}
