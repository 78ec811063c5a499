// The catalog following Salesforce, in process: the emulator with standard prices, the Pub/Sub stand-in (signed by the
// run's trusted CA), and an app on a database two apps can share in turn (a restart), with admin figures on.
import type { FastifyInstance } from 'fastify'
import { startPubSubStandIn } from '../../tools/pubsub-stand-in/index.js'
import type { SalesforceEmulator } from '../../tools/salesforce-emulator/index.js'
import { authHeaders, type EngineName, registerCleanup, sharedDatabaseUrlFor } from '../helper.js'
import { ADMIN_ENV } from './admin.js'
import { startSalesforceTestbed } from './salesforce-app.js'
import { trustedPubSubCa } from './trusted-pubsub-ca.js'

export interface Listed {
  id: number
  sku: string
  name: string
  description: string
  price: number
  active: boolean
  quantityInStock: number
  updatedAt: string
}

/** Polls `read` until `ok`, failing with what was last seen after `withinMs`. */
export async function waitFor<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, withinMs: number) {
  const deadline = Date.now() + withinMs
  let value = await read()
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms; last seen ${JSON.stringify(value)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    value = await read()
  }
  return value
}

export const products = async (app: FastifyInstance): Promise<Listed[]> =>
  (await app.inject({ url: '/products?includeInactive=true&pageSize=100', headers: authHeaders })).json()
export const bySku = async (app: FastifyInstance, sku: string) => (await products(app)).find((p) => p.sku === sku)
/**
 * Until the import has filled the catalog with the testbed's twelve products and the stream is open: a change made
 * before that is read by the import made again then, but a stock edit only the stream carries would be missed.
 */
export async function imported(app: FastifyInstance, withinMs = 15_000) {
  const catalog = await waitFor(
    'the import',
    () => products(app),
    (list) => list.length >= 12,
    withinMs,
  )
  await waitFor(
    'a live subscription',
    async () => (await app.inject({ url: '/healthz' })).json().catalogSync?.orgs[0]?.state,
    (state) => state === 'live',
    withinMs,
  )
  return catalog
}

export async function startCatalogTestbed(
  engine: EngineName,
  env: Record<string, string> = {},
  beforeStart?: (emulator: SalesforceEmulator) => void,
) {
  const testbed = await startSalesforceTestbed()
  const { emulator } = testbed
  for (const [index, record] of emulator.records().entries()) emulator.setStandardPrice(record.Id as string, 10 + index)
  beforeStart?.(emulator)
  const pubsub = await startPubSubStandIn({ emulator, ca: trustedPubSubCa() })
  registerCleanup(() => pubsub.close())
  const databaseUrl = await sharedDatabaseUrlFor(engine)
  const environment = {
    SF_CATALOG_FROM_SALESFORCE: 'true',
    SF_PUBSUB_ENDPOINT: pubsub.endpoint,
    SEED_DEMO_DATA: 'true',
    ...ADMIN_ENV,
    ...env,
  }
  const start = () => testbed.startApp(databaseUrl, environment)
  const app = await start()
  return { testbed, emulator, pubsub, databaseUrl, app, start }
}
