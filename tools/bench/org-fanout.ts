// 1,000 orders at full speed, their stock events published to 5 orgs of the registry (and to 1, for comparison):
// each org's publish calls and delay, and the outbox rows the orgs cost. Standalone: `tsx tools/bench/org-fanout.ts`
// (LOG_LEVEL=info shows flowcart's log).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair, type SalesforceEmulator, startSalesforceEmulator } from '../salesforce-emulator/index.js'
import { BENCH_PASSWORD, benchHeaders as headers, insertBenchProducts } from './bench-catalog.js'
import { dropDatabase, freshDatabase, postgresProblem } from './databases.js'
import { type Committed, eventDelayP99 } from './event-delay.js'

const ORDERS = 1000
/** The products the orders go round, as the economy row's "product 1 + i % 10". */
const PRODUCTS = 10
const ORG_COUNTS = [1, 5]
const STOCK = 1_000_000
const TARGET = { callsPerOrg: 20, delayP99Ms: 1000 }
const BENCH_DB = 'flowcart_bench_orgs'
const sku = (productId: number) => `FANOUT-${String(productId).padStart(2, '0')}`

type Engine = 'sqlite' | 'postgres'

interface OrgResult {
  name: string
  publishCalls: number
  tokenRequests: number
  eventsReceived: number
  delayP99Ms: number
}

export interface FanoutResult {
  engine: Engine
  orgs: OrgResult[]
  /** How long the 1,000 orders took, one after another. */
  ordersSeconds: number
  stockEventRows: number
  stockDeliveryRows: number
}

/** `count` orgs on one emulator, each with its own External Client App and user, all with the one certificate. */
async function startOrgs(count: number, publicKey: string): Promise<SalesforceEmulator> {
  const products = Array.from({ length: PRODUCTS }, (_, index) => ({
    Name: `Product ${index + 1}`,
    ProductCode: sku(index + 1),
  }))
  const org = (n: number) => ({
    consumerKey: `3MVG9flowcart.bench.org${n}`,
    username: `integration@org-${n}.example`,
    publicKey,
    products,
    apiLimit: 1_000_000_000,
  })
  const emulator = await startSalesforceEmulator(org(1))
  for (let n = 2; n <= count; n++) await emulator.addOrg(org(n))
  return emulator
}

export async function measureOrgFanout(engine: Engine, orgCount: number, privateKey: string, publicKey: string) {
  // jsforce reads the proxy variables when it is first imported, and the emulator is on loopback: import it afterwards.
  for (const name of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY']) delete process.env[name]
  const { buildApp } = await import('../../src/app.js')
  const { loadConfig } = await import('../../src/config.js')
  const { createLogger } = await import('../../src/logger.js')
  const { openDatabase } = await import('../../src/db/connect.js')
  const { prepareDatabase } = await import('../../src/prepare-database.js')
  const { pendingEvents } = await import('../../src/outbox/repository.js')
  const { listInventory } = await import('../../src/inventory/repository.js')
  const { addOrg } = await import('../../src/orgs/service.js')

  const emulator = await startOrgs(orgCount, publicKey)
  const orgs = emulator.orgs()
  const databaseUrl =
    engine === 'postgres'
      ? await freshDatabase(BENCH_DB)
      : `sqlite:${join(mkdtempSync(join(tmpdir(), 'flowcart-fanout-')), 'flowcart.db')}`
  const db = await openDatabase(databaseUrl)
  await prepareDatabase(db, { seedDemoData: false })
  await insertBenchProducts(
    db,
    Array.from({ length: PRODUCTS }, (_, index) => index + 1),
    sku,
    STOCK,
  )
  for (const [index, org] of orgs.entries()) {
    const signIn = { loginUrl: emulator.url, username: org.username, consumerKey: org.consumerKey }
    await addOrg(db, { orgId: org.orgId, name: `Org ${index + 1}`, signIn })
  }
  // SF_PRIVATE_KEY alone: flowcart signs in to each org of the registry; every publishing setting at its default.
  const config = loadConfig({ DATABASE_URL: databaseUrl, API_PASSWORD: BENCH_PASSWORD, SF_PRIVATE_KEY: privateKey })
  const app = await buildApp(config, { db, logger: createLogger((process.env.LOG_LEVEL ?? 'silent') as 'silent') })
  await app.ready()

  const commits: Committed[] = []
  const started = performance.now()
  const left = new Map<number, number>()
  for (let index = 0; index < ORDERS; index++) {
    const productId = 1 + (index % PRODUCTS)
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      headers,
      payload: { items: [{ productId, quantity: 1 }] },
    })
    if (response.statusCode !== 201) throw new Error(`order on product ${productId} answered ${response.statusCode}`)
    const quantityInStock = (left.get(productId) ?? STOCK) - 1
    left.set(productId, quantityInStock)
    commits.push({ productId, quantityInStock, at: Date.now() })
  }
  const ordersSeconds = (performance.now() - started) / 1000
  // The publishers send what is left after their linger; then whatever some org still lacks is sent at once.
  await new Promise((done) => setTimeout(done, 1000))
  while ((await pendingEvents(db.kysely)).count > 0) await app.salesforce?.publisher.publishDue()

  // Every org's newest event of each product must carry its stock, or the counts would describe a broken run.
  const stock = await listInventory(db.kysely)
  for (const org of orgs) {
    const latest = new Map<unknown, unknown>()
    for (const event of org.events()) latest.set(event.fields.Product_Id__c, event.fields.Qty_In_Stock__c)
    const wrong = stock.find((item) => latest.get(item.productId) !== item.quantityInStock)
    if (wrong) throw new Error(`org ${org.orgId}: product ${wrong.productId}'s last event is not its stock`)
  }
  const count = async (table: 'stock_events' | 'stock_deliveries') =>
    Number(
      (
        await db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('rows'))
          .executeTakeFirstOrThrow()
      ).rows,
    )
  const result: FanoutResult = {
    engine,
    orgs: orgs.map((org, index) => ({
      name: `Org ${index + 1}`,
      publishCalls: org.counters().byEndpoint['POST composite/sobjects'] ?? 0,
      tokenRequests: org.counters().tokenRequests,
      eventsReceived: org.events().length,
      delayP99Ms: eventDelayP99(commits, org.events()),
    })),
    ordersSeconds,
    stockEventRows: await count('stock_events'),
    stockDeliveryRows: await count('stock_deliveries'),
  }
  await app.close()
  await db.close()
  await emulator.close()
  if (engine === 'postgres') await dropDatabase(BENCH_DB)
  return result
}

function verdict(org: OrgResult): string {
  const missed = [
    ...(org.publishCalls > TARGET.callsPerOrg ? ['calls'] : []),
    ...(org.delayP99Ms > TARGET.delayP99Ms ? ['p99'] : []),
  ]
  return missed.length === 0 ? 'met' : `MISSED: ${missed.join(', ')}`
}

export function formatOrgFanout(results: FanoutResult[]): string {
  const lines = [
    `## ${ORDERS.toLocaleString('en')} orders with 5 orgs (and with 1, for comparison)`,
    '',
    `Orders placed one after another at full speed (in process, as the economy rows) on products 1 + i % ${PRODUCTS}; every`,
    'org of the registry signed in to with SF_PRIVATE_KEY alone, publishing at its defaults (SF_PUBLISH_LINGER_MS=200).',
    'Delay p99: from each order’s answer (after its commit) to the org receiving an event that carries that quantity',
    'or a later one. Orders took: the 1,000 orders one after another, as the publishing to every org ran alongside.',
    '',
    `| engine | orgs | org | publish calls | token requests | events received | delay p99 | target (≤ ${TARGET.callsPerOrg} calls, p99 ≤ ${TARGET.delayP99Ms.toLocaleString('en')} ms) |`,
    '|---|---|---|---|---|---|---|---|',
  ]
  for (const result of results) {
    for (const org of result.orgs) {
      lines.push(
        `| ${result.engine} | ${result.orgs.length} | ${org.name} | ${org.publishCalls} | ${org.tokenRequests} | ${org.eventsReceived} | ${org.delayP99Ms.toLocaleString('en')} ms | ${verdict(org)} |`,
      )
    }
  }
  lines.push(
    '',
    '| engine | orgs | orders took | stock_events rows | stock_deliveries rows | publish calls, all orgs |',
    '|---|---|---|---|---|---|',
  )
  for (const result of results) {
    const calls = result.orgs.reduce((sum, org) => sum + org.publishCalls, 0)
    lines.push(
      `| ${result.engine} | ${result.orgs.length} | ${result.ordersSeconds.toFixed(1)} s | ${result.stockEventRows.toLocaleString('en')} | ${result.stockDeliveryRows} | ${calls} |`,
    )
  }
  return lines.join('\n')
}

/** The rows npm run bench adds: each org count on SQLite, then on PostgreSQL when it answers. */
export async function benchOrgFanout(postgres: boolean): Promise<string> {
  const { privateKey, publicKey } = generateKeyPair()
  const results: FanoutResult[] = []
  for (const engine of postgres ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const)) {
    for (const orgCount of ORG_COUNTS) results.push(await measureOrgFanout(engine, orgCount, privateKey, publicKey))
  }
  return formatOrgFanout(results)
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const problem = await postgresProblem()
  if (problem) console.log(`PostgreSQL rows SKIPPED: ${problem}`)
  console.log(await benchOrgFanout(!problem))
}
