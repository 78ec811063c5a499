// npm run demo: flowcart wired to a local Salesforce emulator, with the curl lines that show the stock loop.
// npm run demo -- --applink: the same loop in AppLink mode, flowcart behind the service-mesh stand-in, as the user
// who runs the Flow, its events published through an AppLink authorization (the add-on API stand-in).
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEMO_SKUS } from '../src/catalog/demo-catalog.js'
import { DEFAULT_API_VERSION } from '../src/salesforce/names.js'
import { startAddonApiStandIn } from './applink-stand-in/addon-api.js'
import { INVOKING_USER_HEADER, startMeshStandIn } from './applink-stand-in/mesh.js'
import { AUTHORIZATION, EVENT_USER, FLOW_USER } from './applink-stand-in/users.js'
import { generateKeyPair, startSalesforceEmulator } from './salesforce-emulator/index.js'

const CHECK = process.argv.includes('--check') || process.env.DEMO_CHECK === 'true'
const APPLINK = process.argv.includes('--applink')
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
  products: DEMO_SKUS.map((sku, index) => ({
    Name: `Product ${index + 1}`,
    ProductCode: sku,
    IsActive: true,
    Qty_In_Stock__c: null,
  })),
  port: CHECK ? 0 : await portOr(4010),
})
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
    await emulator.close()
    if (CHECK) rmSync(dirname(databaseFile), { recursive: true, force: true })
    else console.log('\nflowcart and the Salesforce emulator stopped.')
  }
  process.exit(code)
}
process.on('SIGINT', () => void stop(0))
process.on('SIGTERM', () => void stop(0))

if (CHECK) {
  const passed = await check().then(
    () => true,
    (error: unknown) => {
      console.log(`demo check FAILED: ${(error as Error).message}`)
      return false
    },
  )
  if (passed) console.log('demo check passed')
  await stop(passed ? 0 : 1)
} else {
  printWalkthrough()
}

function printWalkthrough() {
  const order = (quantity: number) =>
    `curl ${CURL_AUTH} -H 'content-type: application/json' -d '{"items":[{"productId":${TENT.productId},"quantity":${quantity}}]}' $FC/orders`
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

1. Order 2 of product ${TENT.productId} (${TENT.sku}, ${TENT.stock} in stock):
   ${order(2)}
2. Within a second an Inventory_Update__e with Qty_In_Stock__c ${TENT.stock - 2} arrives at the emulator:
   curl $SF/__emulator/events
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

interface Inventory {
  quantityInStock: number
  salesforceSync?: { status: string; recordId?: string }
}
interface Health {
  status: string
  salesforce: { pendingEvents: number; lastError?: string }
}

async function check() {
  const auth = callerHeaders
  const json = { ...auth, 'content-type': 'application/json' }
  const call = async <T = unknown>(url: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(url, init)
    const body = await response.json()
    if (!response.ok)
      throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${JSON.stringify(body)}`)
    return body as T
  }
  const placeOrder = (quantity: number) =>
    call<{ id: number }>(`${FC}/orders`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ items: [{ productId: TENT.productId, quantity }] }),
    })
  const setDown = (down: boolean) =>
    call(`${SF}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ down }),
    })
  const eventWith = async (quantity: number, withinMs: number) => {
    const started = Date.now()
    while (Date.now() - started < withinMs) {
      const events = await call<Array<{ type: string; fields: Record<string, unknown>; createdById: string }>>(
        `${SF}/__emulator/events`,
      )
      const event = events.find(
        (e) => e.fields.Product_Id__c === TENT.productId && e.fields.Qty_In_Stock__c === quantity,
      )
      if (event) return { event, afterMs: Date.now() - started }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`no event with Qty_In_Stock__c ${quantity} for product ${TENT.productId} within ${withinMs} ms`)
  }

  const order = await placeOrder(2)
  const placedBy = (order as { placedBy?: { userId: string } }).placedBy
  console.log(`1. order ${order.id} placed: 2 × ${TENT.sku}${placedBy ? `, placedBy user ${placedBy.userId}` : ''}`)
  const first = await eventWith(TENT.stock - 2, 1000)
  console.log(
    `2. ${first.event.type} arrived after ${first.afterMs} ms: SKU__c ${first.event.fields.SKU__c}, Qty_In_Stock__c ${first.event.fields.Qty_In_Stock__c}${APPLINK ? `, CreatedById ${first.event.createdById}` : ''}`,
  )
  const [item] = await call<Inventory[]>(`${FC}/inventory?productId=${TENT.productId}`, { headers: auth })
  if (item?.salesforceSync?.status !== 'updated') throw new Error(`getInventory answered ${JSON.stringify(item)}`)
  console.log(
    `3. getInventory: quantityInStock ${item.quantityInStock}, salesforceSync.status ${item.salesforceSync.status} (${item.salesforceSync.recordId})`,
  )
  const records = await call<Array<Record<string, unknown>>>(`${SF}/__emulator/records`)
  const record = records.find((r) => r.ProductCode === TENT.sku)
  if (record?.Qty_In_Stock__c !== TENT.stock - 2) throw new Error(`Product2 ${TENT.sku} is ${JSON.stringify(record)}`)
  // AppLink mode: written as the user who ran the Flow, the one who placed the order.
  if (placedBy && record.LastModifiedById !== placedBy.userId) {
    throw new Error(`Product2 ${TENT.sku} was written by ${record.LastModifiedById}, not by ${placedBy.userId}`)
  }
  console.log(
    `4. Product2 ${record.Id} (${TENT.sku}): Qty_In_Stock__c ${record.Qty_In_Stock__c}${APPLINK ? `, LastModifiedById ${record.LastModifiedById}` : ''}`,
  )
  const health = await call<Health>(`${FC}${HEALTH}`)
  console.log(`5. healthz: status ${health.status}, salesforce.pendingEvents ${health.salesforce.pendingEvents}`)

  await setDown(true)
  await placeOrder(1)
  // Long enough for the publisher to have tried and failed at least once.
  await new Promise((resolve) => setTimeout(resolve, 700))
  const waiting = await call<Health>(`${FC}${HEALTH}`)
  if (waiting.salesforce.pendingEvents !== 1) throw new Error(`healthz while down: ${JSON.stringify(waiting)}`)
  console.log(
    `6. Salesforce down: order placed, pendingEvents ${waiting.salesforce.pendingEvents}, lastError "${waiting.salesforce.lastError}"`,
  )
  await setDown(false)
  const recovered = await eventWith(TENT.stock - 3, 10_000)
  console.log(
    `   Salesforce back: the waiting event arrived after ${recovered.afterMs} ms with Qty_In_Stock__c ${recovered.event.fields.Qty_In_Stock__c}`,
  )
}
