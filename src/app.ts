// buildApp: the whole service as a Fastify instance, ready for inject() in tests or listen() in server.ts.
import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { createLogger } from './logger.js'
import { requireBasicAuth } from './plugins/auth.js'
import { registerErrorHandling } from './plugins/errors.js'
import { scheduleIdempotencyPurge } from './plugins/idempotency-purge.js'
import { registerOpenApi } from './plugins/openapi.js'
import { healthRoutes } from './routes/health.js'
import { inventoryRoutes } from './routes/inventory.js'
import { orderRoutes } from './routes/orders.js'
import { productRoutes } from './routes/products.js'
import { sharedSchemas } from './schemas/index.js'
import { openStore, type Store } from './store/index.js'

export const BODY_LIMIT_BYTES = 256 * 1024

export interface AppDependencies {
  logger?: Logger
  /** An open store; by default one is opened from config.databaseUrl and closed with the app. */
  store?: Store
}

export async function buildApp(config: Config, deps: AppDependencies = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: (deps.logger ?? createLogger(config.logLevel)) as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // Heroku's router sets X-Request-Id; reuse it so one id follows a request through every log line.
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } },
  })

  const store = deps.store ?? (await openStore({ databaseUrl: config.databaseUrl, seedDemoData: config.seedDemoData }))
  if (!deps.store) app.addHook('onClose', () => store.close())
  scheduleIdempotencyPurge(app, store)

  registerErrorHandling(app)
  for (const schema of sharedSchemas) app.addSchema(schema)
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  await registerOpenApi(app, { publicUrl: config.publicUrl })
  await app.register(healthRoutes, { store })
  await app.register(async (api) => {
    await requireBasicAuth(api, { username: config.apiUsername, passwords: config.apiPasswords })
    await api.register(productRoutes, { store })
    await api.register(orderRoutes, { store })
    await api.register(inventoryRoutes, { store })
  })
  return app
}
