// A stock-event backlog left by a Salesforce outage, drained while requests keep arriving: how long the event loop
// is held, how fast /healthz and an order are answered meanwhile, and how long catching up takes once Salesforce is
// back. Standalone: `tsx tools/bench/backlog-drain.ts` (BACKLOG_ENGINE, BACKLOG_ROWS, BACKLOG_PRODUCTS, ...).
import { mkdtempSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { sql } from 'kysely'
import type { Database } from '../../src/db/connect.js'
import type { StockEventOutbox } from '../../src/outbox/stock-event-outbox.js'
import { generateKeyPair, startSalesforceEmulator } from '../salesforce-emulator/index.js'
import { dropDatabase, freshDatabase } from './databases.js'

const CONSUMER_KEY = '3MVG9flowcart.bench.consumer.key'
const INTEGRATION_USER = 'integration@flowcart.example'
const PASSWORD = 'bench-password-0123456789'
const authorization = `Basic ${Buffer.from(`flowcart:${PASSWORD}`).toString('base64')}`
const BENCH_DB = 'flowcart_bench_backlog'
/** Stock left after the backlog's last change, high enough for every order of the run. */
const FINAL_STOCK = 1_000_000
/** A health check and an order every this many ms, as monitors and Flow keep calling. */
const REQUEST_EVERY_MS = 200

export interface BacklogScenario {
  engine: 'sqlite' | 'postgres'
  rows: number
  products: number
  /** Failed calls already spent on each product's newest change, which waits out a 5-minute backoff. */
  attempts: number
  /** How long Salesforce stays down, with the backlog due, before it comes back. */
  downSeconds: number
  /** Gives up waiting for the catch-up after this long. */
  maxSeconds: number
}

interface Latencies {
  healthz: number[]
  orders: number[]
  failures: number
}

export interface PhaseResult {
  /** Longest the event loop was held, and its 99th percentile delay (ms). */
  loopMaxMs: number
  loopP99Ms: number
  healthz: { p50: number; p99: number; max: number; count: number }
  orders: { p50: number; p99: number; max: number; count: number }
  failures: number
}

export interface BacklogResult {
  scenario: BacklogScenario
  down: PhaseResult
  up: PhaseResult
  /** Seconds from Salesforce's return to an empty outbox; undefined when maxSeconds passed first. */
  catchUpSeconds: number | undefined
  pendingLeft: number
  publishCalls: number
  eventsReceived: number
  /** Products whose last event does not carry the stock the store holds. */
  wrongProducts: number
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number
}
const summarise = (values: number[]) => ({
  p50: percentile(values, 0.5),
  p99: percentile(values, 0.99),
  max: values.length === 0 ? Number.NaN : Math.max(...values),
  count: values.length,
})

export async function measureBacklogDrain(scenario: BacklogScenario): Promise<BacklogResult> {
  for (const name of ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY']) delete process.env[name]
  const { buildApp } = await import('../../src/app.js')
  const { loadConfig } = await import('../../src/config.js')
  const { createLogger } = await import('../../src/logger.js')
  const { openDatabase } = await import('../../src/db/connect.js')
  const { prepareDatabase } = await import('../../src/prepare-database.js')
  const { stockEventOutbox } = await import('../../src/outbox/stock-event-outbox.js')
  const { pendingEvents } = await import('../../src/outbox/repository.js')
  const { listInventory } = await import('../../src/inventory/repository.js')

  const keys = generateKeyPair()
  const emulator = await startSalesforceEmulator({
    consumerKey: CONSUMER_KEY,
    username: INTEGRATION_USER,
    publicKey: keys.publicKey,
    apiLimit: 1_000_000_000,
  })
  const databaseUrl =
    scenario.engine === 'postgres'
      ? await freshDatabase(BENCH_DB)
      : `sqlite:${join(mkdtempSync(join(tmpdir(), 'flowcart-backlog-')), 'flowcart.db')}`
  const db = await openDatabase(databaseUrl)
  await prepareDatabase(db, { seedDemoData: false })
  await arrangeBacklog(db, stockEventOutbox({ recording: () => true }), scenario)

  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    API_PASSWORD: PASSWORD,
    SF_LOGIN_URL: emulator.url,
    SF_CONSUMER_KEY: CONSUMER_KEY,
    SF_USERNAME: INTEGRATION_USER,
    SF_PRIVATE_KEY: keys.privateKey,
  })
  emulator.setDown(true)
  // The publisher as in production: default poll, retry delays and lease.
  const app = await buildApp(config, { db, logger: createLogger((process.env.LOG_LEVEL ?? 'silent') as 'silent') })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

  // The gap between ticks of a 5 ms timer, beyond the 5 ms: how long something else held the event loop.
  let blocks: number[] = []
  let lastTick = performance.now()
  const watchdog = setInterval(() => {
    const now = performance.now()
    blocks.push(Math.max(0, now - lastTick - 5))
    lastTick = now
  }, 5)
  const load = new Worker(new URL('./request-load.mjs', import.meta.url), {
    workerData: { url, authorization, products: scenario.products, everyMs: REQUEST_EVERY_MS },
  })

  const endPhase = () => {
    const ended = blocks
    blocks = []
    return ended
  }
  const summary = (blocks: number[], latencies: Latencies): PhaseResult => ({
    loopMaxMs: Math.max(0, ...blocks),
    loopP99Ms: percentile(blocks, 0.99),
    healthz: summarise(latencies.healthz),
    orders: summarise(latencies.orders),
    failures: latencies.failures,
  })

  await new Promise((done) => setTimeout(done, scenario.downSeconds * 1000))
  const down = endPhase()
  load.postMessage('next phase')
  emulator.resetCounters()
  // Caught up: every change made before Salesforce came back has been sent (orders keep adding new ones).
  const backlog = await db.kysely
    .selectFrom('stock_events')
    .select((eb) => eb.fn.max('id').as('last'))
    .executeTakeFirstOrThrow()
  emulator.setDown(false)
  const back = performance.now()
  let catchUpSeconds: number | undefined
  while (performance.now() - back < scenario.maxSeconds * 1000) {
    const pending = await db.kysely
      .selectFrom('stock_events')
      .select('id')
      .where('sent_at', 'is', null)
      .where('id', '<=', backlog.last ?? 0)
      .limit(1)
      .executeTakeFirst()
    if (!pending) {
      catchUpSeconds = (performance.now() - back) / 1000
      break
    }
    await new Promise((done) => setTimeout(done, 100))
  }
  const up = endPhase()
  clearInterval(watchdog)
  // Requests are counted in the phase they started in, once every one has been answered.
  const [downLatencies, upLatencies] = await new Promise<Latencies[]>((done) => {
    load.once('message', done)
    load.postMessage('stop')
  })
  const publishCalls = emulator.counters().byEndpoint['POST composite/sobjects'] ?? 0

  // The events of the orders placed while it caught up are sent too, before the check.
  await app.salesforce?.publisher.publishDue()
  await app.close()
  const pendingLeft = (await pendingEvents(db.kysely)).count
  const latest = new Map<unknown, unknown>()
  for (const event of emulator.events()) latest.set(event.fields.Product_Id__c, event.fields.Qty_In_Stock__c)
  const stock = await listInventory(db.kysely)
  const wrongProducts = stock.filter((item) => latest.get(item.productId) !== item.quantityInStock).length
  await db.close()
  await emulator.close()
  if (scenario.engine === 'postgres') await dropDatabase(BENCH_DB)
  return {
    scenario,
    down: summary(down, downLatencies as Latencies),
    up: summary(up, upLatencies as Latencies),
    catchUpSeconds,
    pendingLeft,
    publishCalls,
    eventsReceived: emulator.events().length,
    wrongProducts,
  }
}

/**
 * The products, then `rows` stock changes spread over them, written the way the service writes them (setInventory's
 * transaction and its outbox row), each product's stock falling with every change to end at FINAL_STOCK; then every
 * product's newest change is marked as tried `attempts` times and waiting 5 minutes, as a long outage leaves them.
 */
async function arrangeBacklog(db: Database, stockEvents: StockEventOutbox, scenario: BacklogScenario) {
  const { setStock } = await import('../../src/inventory/service.js')
  const now = new Date().toISOString()
  const changesPerProduct = Math.ceil(scenario.rows / scenario.products)
  const products = Array.from({ length: scenario.products }, (_, index) => ({
    sku: `BACKLOG-${String(index + 1).padStart(5, '0')}`,
    name: `Product ${index + 1}`,
    description: 'Backlog benchmark product.',
    price_cents: 100,
    currency_code: 'USD',
    quantity_in_stock: FINAL_STOCK,
    updated_at: now,
  }))
  for (let start = 0; start < products.length; start += 500) {
    await db.kysely
      .insertInto('products')
      .values(products.slice(start, start + 500))
      .execute()
  }
  // Every product's last change, below, leaves FINAL_STOCK: the rows before it are the rest of the backlog.
  const before = scenario.rows - scenario.products
  let written = 0
  for (let change = 0; written < before; change++) {
    const round = Array.from({ length: Math.min(scenario.products, before - written) }, (_, index) => index + 1)
    for (let start = 0; start < round.length; start += 50) {
      await Promise.all(
        round
          .slice(start, start + 50)
          .map((productId) => setStock(db, stockEvents, productId, FINAL_STOCK + changesPerProduct - 1 - change)),
      )
    }
    written += round.length
  }
  for (let productId = 1; productId <= scenario.products; productId++)
    await setStock(db, stockEvents, productId, FINAL_STOCK)
  // The default org has tried each product's newest change `attempts` times and waits out the backoff that leaves.
  const waitUntil = new Date(Date.now() + 5 * 60_000).toISOString()
  const newest = await db.kysely
    .selectFrom('stock_events')
    .select(['product_id', (eb) => eb.fn.max('id').as('id')])
    .groupBy('product_id')
    .execute()
  for (let start = 0; start < newest.length; start += 500) {
    await db.kysely
      .insertInto('stock_deliveries')
      .values(
        newest.slice(start, start + 500).map((row) => ({
          org_key: 'default',
          product_id: row.product_id,
          attempts: scenario.attempts,
          next_attempt_at: waitUntil,
          tried_id: Number(row.id),
          last_error: 'SALESFORCE_UNAVAILABLE: Salesforce answered HTTP 503',
        })),
      )
      .execute()
  }
  // The statistics autovacuum gathers while an outage's backlog grows (a table filled a moment ago has none yet).
  if (db.engine === 'postgres') await sql`analyze stock_events`.execute(db.kysely)
}

const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const ms = (value: number) => (Number.isNaN(value) ? '—' : value.toFixed(value < 10 ? 1 : 0))

const phase = (p: PhaseResult) =>
  `${ms(p.loopMaxMs)} | ${ms(p.healthz.p50)} / ${ms(p.healthz.p99)} | ${ms(p.orders.p50)} / ${ms(p.orders.p99)}`

/** One row per run: each phase's longest hold of the event loop and the requests' p50 / p99, then the catch-up. */
export function formatBacklogTable(results: BacklogResult[]): string {
  const lines = [
    '| engine | backlog | down: loop held ms | down: /healthz p50 / p99 ms | down: order p50 / p99 ms | back: loop held ms | back: /healthz p50 / p99 ms | back: order p50 / p99 ms | caught up after | publish calls |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ]
  for (const { scenario: s, ...result } of results) {
    const caughtUp =
      result.catchUpSeconds === undefined
        ? `not in ${s.maxSeconds} s (${result.pendingLeft.toLocaleString('en')} left)`
        : `${result.catchUpSeconds.toFixed(1)} s`
    const wrong = result.wrongProducts > 0 ? ` (${result.wrongProducts} products' last event wrong)` : ''
    lines.push(
      `| ${s.engine} | ${s.rows.toLocaleString('en')} rows, ${s.products.toLocaleString('en')} products | ${phase(result.down)} | ${phase(result.up)} | ${caughtUp}${wrong} | ${result.publishCalls} |`,
    )
  }
  return lines.join('\n')
}

/** The row npm run bench adds: short enough for every run. */
export async function benchBacklogDrain(postgres: boolean): Promise<string> {
  const results: BacklogResult[] = []
  for (const engine of postgres ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const)) {
    results.push(
      await measureBacklogDrain({ engine, rows: 10_000, products: 500, attempts: 9, downSeconds: 5, maxSeconds: 60 }),
    )
  }
  return [
    '## A stock-event backlog after a Salesforce outage',
    '',
    'Salesforce down, then back, while a health check and an order arrive every 200 ms; each product already tried 9',
    'times and waiting 5 minutes for its next try. Loop held: the longest gap between ticks of a 5 ms timer.',
    '',
    formatBacklogTable(results),
  ].join('\n')
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const result = await measureBacklogDrain({
    engine: process.env.BACKLOG_ENGINE === 'postgres' ? 'postgres' : 'sqlite',
    rows: number('BACKLOG_ROWS', 48_800),
    products: number('BACKLOG_PRODUCTS', 12),
    attempts: number('BACKLOG_ATTEMPTS', 9),
    downSeconds: number('BACKLOG_DOWN_SECONDS', 15),
    maxSeconds: number('BACKLOG_MAX_SECONDS', 120),
  })
  console.log(formatBacklogTable([result]))
}
