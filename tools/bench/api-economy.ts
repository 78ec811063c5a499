// Counts the Salesforce token requests and API calls flowcart spends on 1,000 syncs and 1,000 orders (emulator counters).
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { DEFAULT_PUBLISH_LINGER_MS } from '../../src/salesforce/config.js'
import { type ApiCallCounters, generateKeyPair, startSalesforceEmulator } from '../salesforce-emulator/index.js'
import { BENCH_PASSWORD, benchHeaders as headers, insertBenchProducts } from './bench-catalog.js'
import { type Committed, eventDelayP99 } from './event-delay.js'

const PRODUCTS = 1000
const ORDERS = 1000
const HOT_PRODUCTS = 10
const STOCK = 1_000_000
const CONSUMER_KEY = '3MVG9flowcart.bench.consumer.key'
const INTEGRATION_USER = 'integration@flowcart.example'
const sku = (productId: number) => `BENCH-${String(productId).padStart(4, '0')}`

/** What the 2020 sample would have spent; a string when it has no equivalent. */
interface SampleCost {
  tokenRequests: number | string
  apiCalls: number | string
  /** Total requests the ratio compares against. */
  requests: number
}

export interface EconomyRow {
  scenario: string
  flowcart: ApiCallCounters
  events?: number
  /** For the rows where the publisher runs: how long after its order's commit a change reached Salesforce (p99). */
  eventDelayP99Ms?: number
  sample: SampleCost
}

// The 2020 sample exchanged a token and updated one record per Get Inventory call, so syncing N products took N calls.
const sampleSyncs: SampleCost = { tokenRequests: PRODUCTS, apiCalls: PRODUCTS, requests: 2 * PRODUCTS }
const sampleEvents: SampleCost = {
  tokenRequests: 'none (no events)',
  apiCalls: `none (no events); naive one publish per order: ${ORDERS.toLocaleString('en')}`,
  requests: ORDERS,
}

type Testbed = Awaited<ReturnType<typeof startTestbed>>

/** A fresh emulator, database and app: no token cached, no Product2 Id remembered. */
async function startTestbed(keys: { privateKey: string; publicKey: string }, env: Record<string, string> = {}) {
  const { buildApp } = await import('../../src/app.js')
  const { loadConfig } = await import('../../src/config.js')
  const { createLogger } = await import('../../src/logger.js')
  const { openDatabase } = await import('../../src/db/connect.js')
  const { prepareDatabase } = await import('../../src/prepare-database.js')
  const { pendingEvents } = await import('../../src/outbox/repository.js')
  const { listInventory } = await import('../../src/inventory/repository.js')

  const ids = Array.from({ length: PRODUCTS }, (_, index) => index + 1)
  const emulator = await startSalesforceEmulator({
    consumerKey: CONSUMER_KEY,
    username: INTEGRATION_USER,
    publicKey: keys.publicKey,
    products: ids.map((id) => ({ Name: `Product ${id}`, ProductCode: sku(id), IsActive: true })),
    // Counting is the point here, not the daily limit.
    apiLimit: 1_000_000_000,
  })
  const db = await openDatabase('sqlite::memory:')
  await prepareDatabase(db, { seedDemoData: false })
  await insertBenchProducts(db, ids, sku, STOCK)
  const config = loadConfig({
    DATABASE_URL: 'sqlite::memory:',
    API_PASSWORD: BENCH_PASSWORD,
    SF_LOGIN_URL: emulator.url,
    SF_CONSUMER_KEY: CONSUMER_KEY,
    SF_USERNAME: INTEGRATION_USER,
    SF_PRIVATE_KEY: keys.privateKey,
    ...env,
  })
  const app = await buildApp(config, { db, logger: createLogger('silent') })
  await app.ready()
  return {
    app,
    emulator,
    pendingEvents: () => pendingEvents(db.kysely),
    listInventory: () => listInventory(db.kysely),
    async close() {
      await app.close()
      await db.close()
      await emulator.close()
    },
  }
}

/** Runs `work` and returns what it cost at the emulator. */
async function counted(bed: Testbed, work: () => Promise<void>): Promise<ApiCallCounters> {
  bed.emulator.resetCounters()
  await work()
  return bed.emulator.counters()
}

async function getInventory(app: FastifyInstance, productId?: number) {
  const response = await app.inject({
    url: '/inventory',
    query: productId ? { productId: String(productId) } : {},
    headers,
  })
  const items = response.json() as Array<{ salesforceSync?: { status: string } }>
  if (response.statusCode !== 200 || !items.every((item) => item.salesforceSync?.status === 'updated')) {
    throw new Error(
      `getInventory ${productId ?? '(all)'} answered ${response.statusCode}: ${response.body.slice(0, 300)}`,
    )
  }
  return items.length
}

/** Places an order for one unit; returns when its answer (sent after the commit) arrived. */
async function placeOrder(app: FastifyInstance, productId: number): Promise<number> {
  const response = await app.inject({
    method: 'POST',
    url: '/orders',
    headers,
    payload: { items: [{ productId, quantity: 1 }] },
  })
  if (response.statusCode !== 201) throw new Error(`order on product ${productId} answered ${response.statusCode}`)
  return Date.now()
}

/** Drains the outbox to the end: publishDue() returns with the current drain, a wake-up during it may start another. */
async function drain(bed: Testbed) {
  for (;;) {
    await bed.app.salesforce?.publisher.publishDue()
    if ((await bed.pendingEvents()).count === 0) return
  }
}

/** Every product's newest event must carry its stock in the database, or the counts would describe a broken run. */
async function verifyEvents(bed: Testbed) {
  const latest = new Map<unknown, unknown>()
  for (const event of bed.emulator.events()) latest.set(event.fields.Product_Id__c, event.fields.Qty_In_Stock__c)
  for (const item of await bed.listInventory()) {
    if (item.quantityInStock !== STOCK && latest.get(item.productId) !== item.quantityInStock) {
      throw new Error(
        `product ${item.productId}: stock ${item.quantityInStock}, last event ${latest.get(item.productId)}`,
      )
    }
  }
}

async function syncScenarios(keys: { privateKey: string; publicKey: string }): Promise<EconomyRow[]> {
  const rows: EconomyRow[] = []
  const singles = await startTestbed(keys)
  try {
    const each = async () => {
      for (let productId = 1; productId <= PRODUCTS; productId++) await getInventory(singles.app, productId)
    }
    const label = `a) ${PRODUCTS.toLocaleString('en')} single-product syncs (GET /inventory?productId=N, N = 1..${PRODUCTS})`
    rows.push({
      scenario: `${label}, cold first pass`,
      flowcart: await counted(singles, each),
      sample: sampleSyncs,
    })
    rows.push({ scenario: `${label}, warm`, flowcart: await counted(singles, each), sample: sampleSyncs })
  } finally {
    await singles.close()
  }

  const full = await startTestbed(keys)
  try {
    const all = async () => {
      const synced = await getInventory(full.app)
      if (synced !== PRODUCTS) throw new Error(`full sync returned ${synced} items`)
    }
    const label = `b) one full sync of ${PRODUCTS.toLocaleString('en')} products (GET /inventory)`
    rows.push({ scenario: `${label}, cold`, flowcart: await counted(full, all), sample: sampleSyncs })
    rows.push({ scenario: `${label}, warm`, flowcart: await counted(full, all), sample: sampleSyncs })
  } finally {
    await full.close()
  }
  return rows
}

async function eventScenarios(keys: { privateKey: string; publicKey: string }): Promise<EconomyRow[]> {
  const rows: EconomyRow[] = []
  const orders = `c) ${ORDERS.toLocaleString('en')} orders' events`
  const spread = (index: number) => 1 + (index % PRODUCTS)
  const hot = (index: number) => 1 + (index % HOT_PRODUCTS)
  const run = async (bed: Testbed, scenario: string, productOf: (index: number) => number, running: boolean) => {
    const before = bed.emulator.events().length
    const commits: Committed[] = []
    const flowcart = await counted(bed, async () => {
      // Every product starts with STOCK units (a fresh testbed per running row), and each order takes one.
      const left = new Map<number, number>()
      for (let index = 0; index < ORDERS; index++) {
        const productId = productOf(index)
        const quantityInStock = (left.get(productId) ?? STOCK) - 1
        left.set(productId, quantityInStock)
        commits.push({ productId, quantityInStock, at: await placeOrder(bed.app, productId) })
      }
      // Running, the publisher sends what is left after its linger; stopped, this is what sends everything.
      if (running) await new Promise((resolve) => setTimeout(resolve, 1000))
      await drain(bed)
    })
    await verifyEvents(bed)
    rows.push({
      scenario,
      flowcart,
      events: bed.emulator.events().length - before,
      ...(running ? { eventDelayP99Ms: eventDelayP99(commits, bed.emulator.events()) } : {}),
      sample: sampleEvents,
    })
  }
  // The app's publisher runs as in production: every committed order tells it, and it publishes while the next
  // orders arrive, after SF_PUBLISH_LINGER_MS (0: at once, so a batch holds what piled up during the last call).
  for (const linger of ['0', String(DEFAULT_PUBLISH_LINGER_MS)]) {
    for (const [products, productOf] of [
      [HOT_PRODUCTS, hot],
      [PRODUCTS, spread],
    ] as const) {
      const bed = await startTestbed(keys, { SF_PUBLISH_LINGER_MS: linger })
      try {
        const label = `${orders} at full speed, publisher running, SF_PUBLISH_LINGER_MS=${linger}`
        await run(bed, `${label}, product 1 + i % ${products}`, productOf, true)
      } finally {
        await bed.close()
      }
    }
  }
  // Stopped, the publisher leaves the rows in the outbox; one publishDue() then sends them in batches of 200.
  const bed = await startTestbed(keys)
  try {
    await bed.app.salesforce?.publisher.stop()
    await run(bed, `${orders}, drained at once with publishDue(), product 1 + i % ${PRODUCTS}`, spread, false)
    await run(bed, `${orders}, drained at once with publishDue(), product 1 + i % ${HOT_PRODUCTS}`, hot, false)
  } finally {
    await bed.close()
  }
  return rows
}

export async function measureApiEconomy(): Promise<EconomyRow[]> {
  // jsforce reads the proxy variables when it is first imported, and the emulator is on loopback: import it afterwards.
  for (const name of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY']) delete process.env[name]
  const keys = generateKeyPair()
  return [...(await syncScenarios(keys)), ...(await eventScenarios(keys))]
}

const thousands = (value: number | string) => (typeof value === 'number' ? value.toLocaleString('en') : value)
const byEndpoint = (counters: ApiCallCounters) =>
  Object.entries(counters.byEndpoint)
    .map(([endpoint, count]) => `${endpoint} ${thousands(count)}`)
    .join(', ')

export function formatApiEconomy(rows: EconomyRow[]): string {
  const lines = [
    '## Salesforce API-call economy (counted by the emulator)',
    '',
    `${PRODUCTS.toLocaleString('en')} products in flowcart and as many Product2 records. Cold: a fresh service, no token cached`,
    'and no Product2 Id remembered; warm: the same service right after. Ratio: the 2020 sample’s token requests and',
    'API calls together, divided by flowcart’s (for events, the naive one publish call per order). The rows with the',
    'publisher running vary from run to run: a batch holds whatever orders arrived during the linger or the previous',
    'call. Event p99: how long after its order was answered (after its commit) a change reached the emulator.',
    '',
    '| scenario | flowcart token requests | flowcart API calls | event p99 | 2020 sample token requests | 2020 sample API calls | ratio |',
    '|---|---|---|---|---|---|---|',
  ]
  for (const row of rows) {
    const spent = row.flowcart.tokenRequests + row.flowcart.apiCalls
    const ratio = spent === 0 ? '—' : `${(row.sample.requests / spent).toFixed(1)}×`
    const events = row.events === undefined ? '' : ` (${thousands(row.events)} events received)`
    const delay = row.eventDelayP99Ms === undefined ? '—' : `${thousands(row.eventDelayP99Ms)} ms`
    lines.push(
      `| ${row.scenario}${events} | ${thousands(row.flowcart.tokenRequests)} | ${thousands(row.flowcart.apiCalls)} | ${delay} | ${thousands(row.sample.tokenRequests)} | ${thousands(row.sample.apiCalls)} | ${ratio} |`,
    )
  }
  lines.push('', 'flowcart requests by endpoint, in the order of the table:', '')
  for (const row of rows) lines.push(`- ${byEndpoint(row.flowcart)}`)
  return lines.join('\n')
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  console.log(formatApiEconomy(await measureApiEconomy()))
}
