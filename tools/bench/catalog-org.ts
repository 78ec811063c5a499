// The Salesforce side of the catalog rows, in the bench process: one org in the emulator with products that each have
// a standard price, the Pub/Sub stand-in fed by its record changes, and the file of the stand-in's CA, which a
// flowcart process trusts through NODE_EXTRA_CA_CERTS (the only way a deployed flowcart is told of a CA).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type PubSubStandIn, startPubSubStandIn } from '../pubsub-stand-in/index.js'
import { generateKeyPair, type SalesforceEmulator, startSalesforceEmulator } from '../salesforce-emulator/index.js'
import { BENCH_PASSWORD } from './bench-catalog.js'

const CONSUMER_KEY = '3MVG9flowcart.bench.catalog'
const INTEGRATION_USER = 'integration@catalog-bench.example'
export const PRODUCT_TOPIC = '/data/Product2ChangeEvent'
export const PRICE_TOPIC = '/data/PricebookEntryChangeEvent'

export interface CatalogProduct {
  /** The Product2 Id. */
  id: string
  /** Its ProductCode, flowcart's SKU (SF_PRODUCT_MATCH_FIELD's default). */
  sku: string
}

export interface CatalogOrg {
  emulator: SalesforceEmulator
  standIn: PubSubStandIn
  products: CatalogProduct[]
  /** What makes a flowcart process on `databaseUrl` follow this org's catalog. */
  env(databaseUrl: string): Record<string, string>
  /** The replay id (base64, as pubsub_checkpoints keeps it) of the topic's newest event; undefined before any. */
  lastReplayId(topic: string): string | undefined
  close(): Promise<void>
}

export const skuOf = (index: number) => `CATALOG-${String(index + 1).padStart(5, '0')}`

export async function startCatalogOrg(productCount: number): Promise<CatalogOrg> {
  // jsforce and grpc-js read the proxy variables, and everything here is on loopback; the child inherits their absence.
  for (const name of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'grpc_proxy']) delete process.env[name]
  const keys = generateKeyPair()
  const emulator = await startSalesforceEmulator({
    consumerKey: CONSUMER_KEY,
    username: INTEGRATION_USER,
    publicKey: keys.publicKey,
    apiLimit: 1_000_000_000,
    // Created before anyone listens, so they make no change events; flowcart imports them at its first start.
    products: Array.from({ length: productCount }, (_, index) => ({
      Name: `Product ${index + 1}`,
      ProductCode: skuOf(index),
      Description: 'Catalog benchmark product.',
      IsActive: true,
      Qty_In_Stock__c: 1000,
      standardPrice: 10,
    })),
  })
  const standIn = await startPubSubStandIn({ emulator })
  const caDirectory = mkdtempSync(join(tmpdir(), 'flowcart-bench-pubsub-ca-'))
  const caFile = join(caDirectory, 'ca.pem')
  // A CA file the environment already trusts stays trusted: Node reads one file, so both go into it.
  const already = process.env.NODE_EXTRA_CA_CERTS
  writeFileSync(caFile, `${already ? `${readFileSync(already, 'utf8').trim()}\n` : ''}${standIn.caPem}`)
  const products = emulator.records().map((record) => ({ id: record.Id as string, sku: record.ProductCode as string }))
  return {
    emulator,
    standIn,
    products,
    env: (databaseUrl) => ({
      DATABASE_URL: databaseUrl,
      API_PASSWORD: BENCH_PASSWORD,
      SF_LOGIN_URL: emulator.url,
      SF_CONSUMER_KEY: CONSUMER_KEY,
      SF_USERNAME: INTEGRATION_USER,
      SF_PRIVATE_KEY: keys.privateKey,
      SF_CATALOG_FROM_SALESFORCE: 'true',
      SF_PUBSUB_ENDPOINT: standIn.endpoint,
      NODE_EXTRA_CA_CERTS: caFile,
    }),
    lastReplayId: (topic) => standIn.events(emulator.orgId, topic).at(-1)?.replayId.toString('base64'),
    close: async () => {
      await standIn.close()
      await emulator.close()
      rmSync(caDirectory, { recursive: true, force: true })
    },
  }
}
