import '../src/check-node-version.js' // First: a Node other than engines.node stops here with one line.
// npm run demo: flowcart wired to a local Salesforce emulator, with the curl lines that show the stock loop.
// npm run demo -- --applink: the same loop in AppLink mode, flowcart behind the service-mesh stand-in, as the user
// who runs the Flow, its events published through an AppLink authorization (the add-on API stand-in).
// npm run demo -- --catalog: the catalog follows Salesforce (SF_CATALOG_FROM_SALESFORCE=true): imported from the
// emulator's Product2 records and standard prices at start, then kept in step through the Pub/Sub API stand-in.
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import tls from 'node:tls'
import { fileURLToPath } from 'node:url'
import { DEMO_NAMES, DEMO_SKUS } from '../src/catalog/demo-catalog.js'
import { DEFAULT_API_VERSION } from '../src/salesforce/names.js'
import { startAddonApiStandIn } from './applink-stand-in/addon-api.js'
import { INVOKING_USER_HEADER, startMeshStandIn } from './applink-stand-in/mesh.js'
import { AUTHORIZATION, EVENT_USER, FLOW_USER } from './applink-stand-in/users.js'
import { type CatalogDemoSetting, checkCatalog, importedCatalog, storyProduct } from './demo/catalog-check.js'
import { demoCatalogAsProduct2 } from './demo/catalog-records.js'
import { catalogWalkthrough } from './demo/catalog-story.js'
import { check } from './demo/check.js'
import { flowCall, whatTheFlowsDo } from './demo/story.js'
import { startPubSubStandIn } from './pubsub-stand-in/index.js'
import { generateKeyPair, startSalesforceEmulator } from './salesforce-emulator/index.js'

const CHECK = process.argv.includes('--check') || process.env.DEMO_CHECK === 'true'
const APPLINK = process.argv.includes('--applink')
const CATALOG = process.argv.includes('--catalog')
const CONSUMER_KEY = '3MVG9flowcart.demo.consumer.key'
const INTEGRATION_USER = 'integration@flowcart.example'
const USERNAME = 'flowcart'
const PASSWORD = `demo-${randomBytes(12).toString('base64url')}`
const TENT = { productId: 1, sku: DEMO_SKUS[0] as string, stock: 40 }
// Short retry delays so that, once Salesforce is back, a waiting event arrives within seconds, not minutes.
const PUBLISHER = { pollIntervalMs: 1000, retryBaseMs: 500, retryMaxMs: 4000 }

// jsforce reads the proxy variables when it is first imported, and the emulator is on loopback: import it afterwards.
for (const name of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY']) delete process.env[name]
const { buildApp } = await import('../src/app.js')
const { loadConfig } = await import('../src/config.js')
const { createLogger } = await import('../src/logger.js')

/** The preferred port when nothing listens on it, else 0 (any free port). */
async function portOr(preferred: number): Promise<number> {
  const probe = createServer()
  const free = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false))
    probe.listen(preferred, '127.0.0.1', () => resolve(true))
  })
  if (free) await new Promise((resolve) => probe.close(resolve))
  return free ? preferred : 0
}

// A check never touches the interactive demo's database or ports, so it can run next to it.
const databaseFile = CHECK
  ? join(mkdtempSync(join(tmpdir(), 'flowcart-demo-')), 'demo.db')
  : fileURLToPath(new URL('../data/demo.db', import.meta.url))
for (const suffix of ['', '-wal', '-shm']) rmSync(`${databaseFile}${suffix}`, { force: true })

let keys: ReturnType<typeof generateKeyPair> | undefined
/** The integration user's key pair: basic mode only, since AppLink mode never signs a JWT. */
const generateKeyPairOnce = () => {
  keys ??= generateKeyPair()
  return keys
}
const emulator = await startSalesforceEmulator({
  consumerKey: CONSUMER_KEY,
  username: INTEGRATION_USER,
  publicKey: APPLINK ? '' : generateKeyPairOnce().publicKey,
  // Named as in flowcart's catalog, as an org's Product2 records would be. --catalog: the org holds the demo catalog
  // itself, prices and stock included, and flowcart imports it.
  products: CATALOG
    ? await demoCatalogAsProduct2()
    : DEMO_SKUS.map((sku, index) => ({
        Name: DEMO_NAMES[index] as string,
        ProductCode: sku,
        IsActive: true,
        Qty_In_Stock__c: null,
      })),
  port: CHECK ? 0 : await portOr(4010),
})
// --catalog: the Pub/Sub API, fed by the emulator's record changes. Empty keepalives every second rather than
// Salesforce's "within 270 seconds": the subscription shows live in healthz as soon as it is open.
const pubSub = CATALOG ? await startPubSubStandIn({ emulator, keepaliveMs: 1000 }) : undefined
// Its TLS is verified as Salesforce's is: this process trusts the stand-in's CA too, before flowcart's Pub/Sub client
// is made (it reads the default CAs then). A flowcart in a process of its own would take NODE_EXTRA_CA_CERTS.
if (pubSub) tls.setDefaultCACertificates([...tls.getCACertificates('default'), pubSub.caPem])
const catalogVariables = pubSub ? { SF_CATALOG_FROM_SALESFORCE: 'true', SF_PUBSUB_ENDPOINT: pubSub.endpoint } : {}
const publicPort = CHECK ? 0 : await portOr(3000)
/** AppLink mode: the add-on's API, whose variables @heroku/applink reads from the environment, as on a dyno. */
const addon =
  APPLINK &&
  (await startAddonApiStandIn({
    authorizations: { [AUTHORIZATION]: EVENT_USER },
    openSession: emulator.openSession,
    apiVersion: DEFAULT_API_VERSION,
  }))
const modeVariables = addon
  ? {
      AUTH_MODE: 'applink',
      APP_PORT: '0',
      HEROKU_APPLINK_API_URL: addon.url,
      HEROKU_APPLINK_TOKEN: addon.token,
      HEROKU_APP_ID: addon.appId,
      APPLINK_AUTHORIZATION: AUTHORIZATION,
      // The emulator stands in for the org, on loopback over http: listed as an operator lists an org it trusts.
      APPLINK_TRUSTED_ORG_ORIGINS: emulator.instanceUrl,
    }
  : {
      PORT: String(publicPort),
      API_USERNAME: USERNAME,
      API_PASSWORD: PASSWORD,
      SF_LOGIN_URL: emulator.url,
      SF_CONSUMER_KEY: CONSUMER_KEY,
      SF_USERNAME: INTEGRATION_USER,
      SF_PRIVATE_KEY: generateKeyPairOnce().privateKey,
    }
Object.assign(process.env, addon ? modeVariables : {})
const config = loadConfig({
  HOST: '127.0.0.1',
  DATABASE_URL: `sqlite:${databaseFile}`,
  LOG_LEVEL: CHECK ? 'error' : 'warn',
  ...modeVariables,
  ...catalogVariables,
})
const app = await buildApp(config, { logger: createLogger(config.logLevel), publisherOptions: PUBLISHER })
const appUrl = await app.listen({ port: config.port, host: config.host })
// In AppLink mode callers reach flowcart through the mesh, on the port a dyno's router would use.
const mesh =
  APPLINK &&
  (await startMeshStandIn({
    appUrl,
    openSession: emulator.openSession,
    apiVersion: DEFAULT_API_VERSION,
    port: publicPort,
  }))
const FC = mesh ? mesh.url : appUrl
// The mesh lets only its own health check through without a client context (AppLink mode).
const HEALTH = mesh ? '/healthcheck' : '/healthz'
const SF = emulator.url
/** What a request carries to say who calls: the basic-auth login, or (AppLink) the user the mesh is told ran the Flow. */
const callerHeaders: Record<string, string> = APPLINK
  ? { [INVOKING_USER_HEADER]: FLOW_USER }
  : { authorization: `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}` }
const CURL_AUTH = APPLINK ? '-H "$AS"' : '-u $AUTH'
const CURL_EXPORT = APPLINK ? `AS='${INVOKING_USER_HEADER}: ${FLOW_USER}'` : `AUTH=${USERNAME}:${PASSWORD}`

let stopping = false
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true
    if (mesh) await mesh.close()
    await app.close()
    if (addon) await addon.close()
    if (pubSub) await pubSub.close()
    await emulator.close()
    if (CHECK) rmSync(dirname(databaseFile), { recursive: true, force: true })
    else console.log('\nflowcart and the Salesforce emulator stopped.')
  }
  process.exit(code)
}
process.on('SIGINT', () => void stop(0))
process.on('SIGTERM', () => void stop(0))

const catalogSetting: CatalogDemoSetting = {
  fc: FC,
  sf: SF,
  health: HEALTH,
  callerHeaders,
  curlAuth: CURL_AUTH,
  sku: TENT.sku,
}
if (CHECK) {
  const setting = { appLink: APPLINK, fc: FC, sf: SF, health: HEALTH, callerHeaders, tent: TENT }
  const passed = await (CATALOG ? checkCatalog(catalogSetting) : check(setting)).then(
    () => true,
    (error: unknown) => {
      console.log(`demo check FAILED: ${(error as Error).message}`)
      return false
    },
  )
  if (passed) console.log('demo check passed')
  await stop(passed ? 0 : 1)
} else if (CATALOG) {
  await printCatalogWalkthrough().catch(async (error: unknown) => {
    console.log(`demo FAILED: ${(error as Error).message}`)
    await stop(1)
  })
} else {
  printWalkthrough()
}

async function printCatalogWalkthrough() {
  // The import runs as flowcart starts: the walkthrough waits for it, so that it can name the product's id.
  const { value: products } = await importedCatalog(catalogSetting, 30_000)
  const product = await storyProduct(catalogSetting)
  const how = APPLINK
    ? `in AppLink mode, behind a stand-in of the service mesh, as ${FLOW_USER}`
    : 'with the Salesforce emulator'
  console.log(`flowcart demo ${how}, the catalog following Salesforce (SF_CATALOG_FROM_SALESFORCE=true).

  flowcart             ${FC}   database ${relative(process.cwd(), databaseFile)}, fresh for this run
  Salesforce emulator  ${SF}   the demo catalog: ${products.length} Product2 records, standard prices, Qty_In_Stock__c
  Pub/Sub API stand-in ${pubSub?.endpoint}   TLS, its CA trusted by this process; change events of Product2, PricebookEntry

In another terminal:

  export FC=${FC} SF=${SF} ${CURL_EXPORT}

${catalogWalkthrough(product, { curlAuth: CURL_AUTH, health: HEALTH, productCount: products.length })}

Ctrl-C stops them all.`)
}

function printWalkthrough() {
  const body = (quantity: number) => ({ items: [{ productId: TENT.productId, quantity }] })
  // Basic mode: with an Idempotency-Key, as Flowcart_Place_Order sends its interview's GUID.
  const order = (quantity: number, key = randomUUID()) =>
    `curl ${CURL_AUTH} -H 'content-type: application/json'${APPLINK ? '' : ` -H 'idempotency-key: ${key}'`} -d '${JSON.stringify(body(quantity))}' $FC/orders`
  const firstKey = randomUUID()
  const tent = { productId: TENT.productId, sku: TENT.sku, name: DEMO_NAMES[0] as string }
  const event = { type: 'Inventory_Update__e', product: tent, quantityInStock: TENT.stock - 2 }
  // The story's lines come indented under a numbered step already.
  const story = (lines: string[]) => lines.join('\n')
  const faults = (down: boolean) =>
    `curl -X POST -H 'content-type: application/json' -d '{"down":${down}}' $SF/__emulator/faults`
  const how = APPLINK
    ? `in AppLink mode: behind a stand-in of the service mesh, as ${FLOW_USER}; events as ${EVENT_USER} (authorization ${AUTHORIZATION})`
    : 'the service and a Salesforce emulator wired to it (JWT bearer flow, generated key pair)'
  console.log(`flowcart demo ${how}.

  flowcart             ${FC}   database ${relative(process.cwd(), databaseFile)}, fresh for this run
  Salesforce emulator  ${SF}   ${DEMO_SKUS.length} Product2 records for the demo catalog, Qty_In_Stock__c empty

In another terminal (quantities as on a fresh start):

  export FC=${FC} SF=${SF} ${CURL_EXPORT}

1. Order 2 of product ${TENT.productId} (${TENT.sku}, "${tent.name}", ${TENT.stock} in stock) as a Flow does.
${story(flowCall(APPLINK, body(2), firstKey).slice(1))}
   The same request with curl:
   ${order(2, firstKey)}
2. Within a second an Inventory_Update__e with Qty_In_Stock__c ${TENT.stock - 2} arrives at the emulator:
   curl $SF/__emulator/events
${story(whatTheFlowsDo(APPLINK, event))}
3. getInventory writes the stock into Product2 and says so (salesforceSync.status "updated"):
   curl ${CURL_AUTH} "$FC/inventory?productId=${TENT.productId}"
4. The Product2 record with ProductCode ${TENT.sku} now has Qty_In_Stock__c ${TENT.stock - 2}:
   curl $SF/__emulator/records${APPLINK ? `\n   (its LastModifiedById is ${FLOW_USER}'s Id: the write was made as the user who ran the Flow)` : ''}
5. Health, with the event outbox (pendingEvents, lastPublishedAt, lastError):
   curl $FC${HEALTH}
6. Take Salesforce down and order again: the order still succeeds, its event waits in the outbox
   (healthz shows pendingEvents 1 and the last error; the service logs a warning each retry):
   ${faults(true)}
   ${order(1)}
   curl $FC${HEALTH}
   Bring Salesforce back: the waiting event (Qty_In_Stock__c ${TENT.stock - 3}) arrives within about 5 seconds:
   ${faults(false)}
   curl $SF/__emulator/events

Emulator counters (token requests, API calls by endpoint): curl $SF/__emulator/state
Ctrl-C stops both.`)
}
