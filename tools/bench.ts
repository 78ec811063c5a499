import '../src/check-node-version.js' // First: a Node other than engines.node stops here with one line.
// npm run bench: flowcart on SQLite and on PostgreSQL against a bare Fastify route and against PostgreSQL's own
// pgbench, all measured in the same run, in alternating rounds, with the load generator on a core of its own.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../src/db/connect.js'
import { migrate } from '../src/db/migrations.js'
import { formatApiEconomy, measureApiEconomy } from './bench/api-economy.js'
import { benchBacklogDrain } from './bench/backlog-drain.js'
import { insertBenchProducts } from './bench/bench-catalog.js'
import { benchCatalogChanges } from './bench/catalog-changes.js'
import { dropDatabase, freshDatabase, postgresProblem } from './bench/databases.js'
import { benchDeepPages } from './bench/deep-pages.js'
import { dynoMemory } from './bench/dyno-memory.js'
import { autocannon, autocannonOrders, type HttpLoad, initPgbench, type LoadResult, pgbench } from './bench/load.js'
import { benchOrgFanout } from './bench/org-fanout.js'
import { choosePinning } from './bench/pinning.js'
import { type RunningServer, startServer } from './bench/processes.js'

const CONNECTIONS = 50
/** pgbench sessions, as the issue that set the PostgreSQL targets names them (flowcart's pool opens 10). */
const PGBENCH_CLIENTS = 16
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const RSS_TARGET_MB = 120
const PASSWORD = 'bench-password-0123456789'
const authorization = `Basic ${Buffer.from(`flowcart:${PASSWORD}`).toString('base64')}`
const FLOWCART_DB = 'flowcart_bench'
const PGBENCH_DB = 'flowcart_bench_pgbench'
/** flowcart's tables and one product, for pgbench's order per transaction on a hot row (bench/hot-row-order.sql). */
const HOT_ROW_DB = 'flowcart_bench_hot_row'
const HOT_ROW_SCRIPT = new URL('./bench/hot-row-order.sql', import.meta.url).pathname
const HOT_ROW_PGBENCH = 'pgbench, an order per transaction on one hot row'
/** Products the spread postOrder row orders from, one at random per order, so no one stock row serialises them. */
const SPREAD_PRODUCTS = 100

interface Sample extends LoadResult {
  /** CPU time of the process under test per request (undefined for pgbench: PostgreSQL is many processes). */
  serverCpuMicroseconds: number | undefined
}

interface Row {
  name: string
  measure(): Promise<Sample>
  /** The row this one's req/s is divided by, and the least ratio it must reach; its p99 bound in ms. */
  target?: { against: string; ratio: number; p99Ms?: number }
}

const pinning = choosePinning()
const memory = dynoMemory()
const load = { connections: CONNECTIONS, seconds: SECONDS }

/** The load's result, with the server's CPU time per request over the same span. */
async function measuredOn(server: RunningServer, makeLoad: () => Promise<LoadResult>): Promise<Sample> {
  const before = server.cpuMicroseconds()
  const result = await makeLoad()
  return { ...result, serverCpuMicroseconds: (server.cpuMicroseconds() - before) / Math.max(result.total, 1) }
}

const measureHttp = (server: RunningServer, request: HttpLoad) =>
  measuredOn(server, () => autocannon(pinning.load, request, load))

const getProducts = (server: RunningServer): HttpLoad => ({ url: `${server.url}/products`, headers: { authorization } })
const postOrder = (server: RunningServer): HttpLoad => ({
  url: `${server.url}/orders`,
  method: 'POST',
  headers: { authorization, 'content-type': 'application/json' },
  body: JSON.stringify({ items: [{ productId: 1, quantity: 1 }] }),
})

/** flowcart as the Procfile runs it (the compiled build), with stock that no order of the run can exhaust. */
async function startFlowcart(databaseUrl: string): Promise<RunningServer> {
  const server = await startServer('dist/src/server.js', '/healthz', {
    env: { DATABASE_URL: databaseUrl, API_PASSWORD: PASSWORD },
    pin: [...memory.prefix, ...pinning.server],
  })
  const response = await fetch(`${server.url}/inventory/1`, {
    method: 'PUT',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ quantityInStock: 2_000_000_000 }),
  })
  if (!response.ok) throw new Error(`setting the stock answered ${response.status}`)
  return server
}

/** flowcart's tables in a database of their own, with one product whose stock no run exhausts; its id. */
async function hotRowDatabase(url: string): Promise<number> {
  const db = await openDatabase(url)
  try {
    await migrate(db.kysely, 'postgres')
    await insertBenchProducts(db, [1], () => 'BENCH-HOT', 2_000_000_000)
    const row = await db.kysely.selectFrom('products').select('id').executeTakeFirstOrThrow()
    return row.id
  } finally {
    await db.close()
  }
}

/** SPREAD_PRODUCTS products written straight into the database, each with stock no run can exhaust; their ids. */
async function addSpreadProducts(databaseUrl: string): Promise<number[]> {
  const db = await openDatabase(databaseUrl)
  try {
    const skuOf = (index: number) => `BENCH-SPREAD-${index}`
    const indexes = Array.from({ length: SPREAD_PRODUCTS }, (_, index) => index + 1)
    await insertBenchProducts(db, indexes, skuOf, 2_000_000_000)
    const rows = await db.kysely.selectFrom('products').select('id').where('sku', 'in', indexes.map(skuOf)).execute()
    return rows.map((row) => row.id)
  } finally {
    await db.close()
  }
}

const bare = await startServer('tools/bench/hello-world.ts', '/', { pin: pinning.server })
const sqlite = await startFlowcart(`sqlite:${join(mkdtempSync(join(tmpdir(), 'flowcart-bench-')), 'flowcart.db')}`)
const servers = [bare, sqlite]
const rows: Row[] = [
  { name: 'bare Fastify hello world', measure: () => measureHttp(bare, { url: `${bare.url}/` }) },
  {
    name: 'getProducts, SQLite',
    measure: () => measureHttp(sqlite, getProducts(sqlite)),
    target: { against: 'bare Fastify hello world', ratio: 0.35 },
  },
  {
    name: 'postOrder, SQLite',
    measure: () => measureHttp(sqlite, postOrder(sqlite)),
    target: { against: 'bare Fastify hello world', ratio: 0.25 },
  },
]

const postgresMissing = await postgresProblem()
let postgres: RunningServer | undefined
if (!postgresMissing) {
  const flowcartUrl = await freshDatabase(FLOWCART_DB)
  postgres = await startFlowcart(flowcartUrl)
  servers.push(postgres)
  const pgbenchUrl = await freshDatabase(PGBENCH_DB)
  await initPgbench(pgbenchUrl)
  const hotRowUrl = await freshDatabase(HOT_ROW_DB)
  const hotProduct = await hotRowDatabase(hotRowUrl)
  const server = postgres
  const spreadProducts = await addSpreadProducts(flowcartUrl)
  const noServerCpu = (result: LoadResult): Sample => ({ ...result, serverCpuMicroseconds: undefined })
  rows.push(
    {
      name: 'getProducts, PostgreSQL',
      measure: () => measureHttp(server, getProducts(server)),
      target: { against: 'bare Fastify hello world', ratio: 0.25 },
    },
    {
      name: 'postOrder, PostgreSQL, one hot product',
      measure: () => measureHttp(server, postOrder(server)),
      target: { against: HOT_ROW_PGBENCH, ratio: 2 },
    },
    {
      name: HOT_ROW_PGBENCH,
      measure: async () =>
        noServerCpu(
          await pgbench(pinning.load, hotRowUrl, ['-f', HOT_ROW_SCRIPT, '-D', `product=${hotProduct}`], {
            clients: PGBENCH_CLIENTS,
            seconds: SECONDS,
          }),
        ),
    },
    {
      // A quiet shop: one order at a time, so no order has another to share its commit with (its latency is p50).
      name: 'postOrder, PostgreSQL, one at a time',
      measure: () => measuredOn(server, () => autocannon(pinning.load, postOrder(server), { ...load, connections: 1 })),
    },
    {
      name: `postOrder, PostgreSQL, ${SPREAD_PRODUCTS} products`,
      measure: () =>
        measuredOn(server, () =>
          autocannonOrders(
            pinning.load,
            { url: `${server.url}/orders`, authorization, productIds: spreadProducts },
            load,
          ),
        ),
      target: { against: 'pgbench -N (simple update)', ratio: 0.5, p99Ms: 25 },
    },
    {
      name: 'pgbench -N (simple update)',
      measure: async () =>
        noServerCpu(await pgbench(pinning.load, pgbenchUrl, ['-N'], { clients: PGBENCH_CLIENTS, seconds: SECONDS })),
    },
    {
      name: 'pgbench -S (select only)',
      measure: async () =>
        noServerCpu(await pgbench(pinning.load, pgbenchUrl, ['-S'], { clients: PGBENCH_CLIENTS, seconds: SECONDS })),
    },
  )
}

console.log(`${pinning.description}.\n${memory.description}.`)
if (postgresMissing) console.log(`PostgreSQL rows SKIPPED: ${postgresMissing}`)
const samples = new Map<string, Sample[]>(rows.map((row) => [row.name, []]))
for (let round = 1; round <= ROUNDS; round++) {
  for (const row of rows) {
    samples.get(row.name)?.push(await row.measure())
    process.stdout.write(`round ${round}/${ROUNDS}: ${row.name} done\n`)
  }
}
const rss = { sqlite: sqlite.rssMegabytes(), postgres: postgres?.rssMegabytes() }
await Promise.all(servers.map((server) => server.stop()))
if (postgres) await Promise.all([dropDatabase(FLOWCART_DB), dropDatabase(PGBENCH_DB), dropDatabase(HOT_ROW_DB)])
memory.remove()

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
const summary = new Map(
  [...samples].map(([name, list]) => {
    const cpu = list.map((sample) => sample.serverCpuMicroseconds).filter((value) => value !== undefined)
    return [
      name,
      {
        requestsPerSecond: median(list.map((sample) => sample.requestsPerSecond)),
        low: Math.min(...list.map((sample) => sample.requestsPerSecond)),
        high: Math.max(...list.map((sample) => sample.requestsPerSecond)),
        p50Ms: median(list.map((sample) => sample.p50Ms)),
        p99Ms: median(list.map((sample) => sample.p99Ms)),
        failures: list.reduce((sum, sample) => sum + sample.failures, 0),
        serverCpuMicroseconds: cpu.length > 0 ? median(cpu) : undefined,
      },
    ]
  }),
)

const bareResult = summary.get('bare Fastify hello world')
console.log(
  `\n${CONNECTIONS} HTTP connections (pgbench: ${PGBENCH_CLIENTS} sessions, one thread), ${ROUNDS} alternating rounds of ${SECONDS} s, medians:\n`,
)
console.log(
  '| row | req/s (pgbench: tps) | range | vs bare Fastify | p50 ms | p99 ms | server CPU µs/request | target |',
)
console.log('|---|---|---|---|---|---|---|---|')
for (const row of rows) {
  const result = summary.get(row.name)
  if (!result || !bareResult) continue
  let verdict = ''
  if (row.target) {
    const against = summary.get(row.target.against)
    const ratio = result.requestsPerSecond / (against?.requestsPerSecond ?? Number.NaN)
    const p99Met = row.target.p99Ms === undefined || result.p99Ms <= row.target.p99Ms
    const p99Text = row.target.p99Ms === undefined ? '' : `, p99 ≤ ${row.target.p99Ms} ms`
    verdict = `${ratio >= row.target.ratio && p99Met ? 'met' : 'MISSED'}: ${ratio.toFixed(2)}× ${row.target.against} (≥ ${row.target.ratio}×${p99Text})`
  }
  const cpu = result.serverCpuMicroseconds === undefined ? '—' : result.serverCpuMicroseconds.toFixed(1)
  const failures = result.failures > 0 ? ` (${result.failures} failed)` : ''
  console.log(
    `| ${row.name} | ${Math.round(result.requestsPerSecond)}${failures} | ${Math.round(result.low)}–${Math.round(result.high)} | ${(result.requestsPerSecond / bareResult.requestsPerSecond).toFixed(2)} | ${result.p50Ms.toFixed(2)} | ${result.p99Ms.toFixed(1)} | ${cpu} | ${verdict} |`,
  )
}
console.log('\npgbench p99 is read from its per-transaction log. Server CPU: the flowcart (or Fastify) process only.')
for (const [engine, megabytes] of Object.entries(rss)) {
  if (megabytes === undefined) continue
  const verdict = megabytes < RSS_TARGET_MB ? 'met' : 'MISSED'
  console.log(
    `flowcart RSS after the whole bench, ${engine}: ${megabytes.toFixed(0)} MB (target < ${RSS_TARGET_MB} MB: ${verdict})`,
  )
}

// getOrders a million orders deep, with offset and with after: flowcart on a database of its own, pinned as above.
console.log(`\n${await benchDeepPages(!postgresMissing)}`)

// Last: what the Salesforce side costs in requests, counted in-process by the emulator rather than timed, with one
// org and with five, and how a backlog of stock events drains after an outage.
console.log(`\n${formatApiEconomy(await measureApiEconomy())}`)
console.log(`\n${await benchOrgFanout(!postgresMissing)}`)
console.log(`\n${await benchBacklogDrain(!postgresMissing)}`)
// Then the catalog following Salesforce's change events: the compiled server again, pinned as above.
console.log(`\n${await benchCatalogChanges(!postgresMissing)}`)
