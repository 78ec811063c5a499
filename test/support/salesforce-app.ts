// The real app wired to the Salesforce emulator: generated key pair, Product2 records for the demo catalog.
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { DEMO_SKUS } from '../../src/catalog/demo-catalog.js'
import type { Database } from '../../src/db/connect.js'
import { createLogger } from '../../src/logger.js'
import type { PublisherOptions } from '../../src/salesforce/event-publisher.js'
import {
  generateKeyPair,
  type SalesforceEmulator,
  startSalesforceEmulator,
} from '../../tools/salesforce-emulator/index.js'
import { databaseUrlFor, type EngineName, registerCleanup, testConfig } from '../helper.js'

export const CONSUMER_KEY = '3MVG9flowcart.consumer.key'
export const INTEGRATION_USER = 'integration@flowcart.example'
// One key pair for every testbed of a test file: a 2048-bit pair takes 90 to 500 ms to generate.
const keys = generateKeyPair()

export interface SalesforceTestbed {
  emulator: SalesforceEmulator
  privateKey: string
  /** The certificate's public key: upload it to another org (emulator.addOrg) so that the same private key signs in there. */
  publicKey: string
  /** Every log line the apps of this testbed wrote. */
  logs: string[]
  /**
   * Builds (and later closes) an app on `databaseUrl` wired to the emulator. Its publisher retries within
   * milliseconds and polls only when asked (publishDue), unless `publisherOptions` say otherwise.
   */
  startApp(
    databaseUrl: string,
    env?: Record<string, string>,
    db?: Database,
    publisherOptions?: PublisherOptions,
  ): Promise<FastifyInstance>
}

export async function startSalesforceTestbed(): Promise<SalesforceTestbed> {
  const emulator = await startSalesforceEmulator({
    consumerKey: CONSUMER_KEY,
    username: INTEGRATION_USER,
    publicKey: keys.publicKey,
    products: DEMO_SKUS.map((sku, index) => ({ Name: `Product ${index + 1}`, ProductCode: sku, IsActive: true })),
  })
  registerCleanup(() => emulator.close())
  const logs: string[] = []
  return {
    emulator,
    privateKey: keys.privateKey,
    publicKey: keys.publicKey,
    logs,
    async startApp(databaseUrl, env = {}, db, publisherOptions) {
      const config = testConfig({
        DATABASE_URL: databaseUrl,
        SF_LOGIN_URL: emulator.url,
        SF_CONSUMER_KEY: CONSUMER_KEY,
        SF_USERNAME: INTEGRATION_USER,
        SF_PRIVATE_KEY: keys.privateKey,
        SF_TIMEOUT_MS: '2000',
        ...env,
      })
      const logger = createLogger('debug', { write: (line: string) => logs.push(line) })
      // Short retry delays so a recovery is seen within a test; the poll is left to explicit publishDue() calls.
      const app = await buildApp(config, {
        logger,
        db,
        publisherOptions: { retryBaseMs: 5, retryMaxMs: 20, pollIntervalMs: 60_000, ...publisherOptions },
      })
      registerCleanup(() => app.close())
      await app.ready()
      return app
    },
  }
}

export async function salesforceApp(engine: EngineName, env: Record<string, string> = {}) {
  const testbed = await startSalesforceTestbed()
  const databaseUrl = await databaseUrlFor(engine)
  const app = await testbed.startApp(databaseUrl, env)
  return { ...testbed, app, databaseUrl }
}
