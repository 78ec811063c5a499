// getOrders at 1,000,000 orders: the first page, and the last page (a million orders deep) asked the two ways a client
// can, with offset and with after. flowcart runs as the Procfile runs it, pinned to its own core; the requests are
// made one after the other from this process, moved onto the load generator's core, so each time is one page's own.
// Standalone, after `npm run build`: `tsx tools/bench/deep-pages.ts`
// (DEEP_PAGES_ENGINES=postgres,sqlite, DEEP_PAGES_ORDERS, BENCH_ROUNDS, BENCH_SECONDS).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { openDatabase } from '../../src/db/connect.js'
import { prepareDatabase } from '../../src/prepare-database.js'
import { dropDatabase, freshDatabase, postgresProblem } from './databases.js'
import { choosePinning, pinThisProcessToLoadCore } from './pinning.js'
import { startServer } from './processes.js'

type Engine = 'sqlite' | 'postgres'

/** The deep page with after answers within this many times the first page's time (issue 21). */
export const TARGET_RATIO = 2
const PAGE_SIZE = 50
const BENCH_DB = 'flowcart_bench_pages'
const PASSWORD = 'bench-password-0123456789'
const authorization = `Basic ${Buffer.from(`flowcart:${PASSWORD}`).toString('base64')}`

export interface PagesScenario {
  engines: Engine[]
  orders: number
  rounds: number
  /** How long each page is asked for, one request after the other, in each round. */
  seconds: number
}

interface PageTimes {
  name: string
  query: string
  /** Every request's time, all rounds, in ms. */
  timesMs: number[]
}

export interface PagesResult {
  engine: Engine
  orders: number
  fillSeconds: number
  pages: PageTimes[]
}

/**
 * `orders` orders of one line each, placed one a second up to now, by the default login (no org), written straight
 * into a database that flowcart prepared (its tables, the demo catalog). On PostgreSQL, ANALYZE leaves the planner
 * with the real sizes, as autovacuum would soon after such a load; flowcart never analyzes its SQLite file, so
 * neither does the bench.
 */
async function fillOrders(databaseUrl: string, engine: Engine, orders: number): Promise<number> {
  const started = performance.now()
  const db = await openDatabase(databaseUrl)
  try {
    await prepareDatabase(db, { seedDemoData: true })
    const placedAt =
      engine === 'postgres'
        ? sql`now() - (${orders} - n) * interval '1 second'`
        : sql`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (${orders} - n) || ' seconds')`
    await sql`
      with recursive numbers(n) as (select 1 union all select n + 1 from numbers where n < ${orders})
      insert into orders (status, currency_code, total_cents, created_at)
      select 'placed', 'USD', 24900, ${placedAt} from numbers`.execute(db.kysely)
    await sql`
      insert into order_items (order_id, product_id, sku, name, quantity, unit_price_cents, total_cents)
      select id, 1, 'FC-TENT-2P', 'Trail Tent 2P', 1, 24900, 24900 from orders`.execute(db.kysely)
    if (engine === 'postgres') await sql`analyze`.execute(db.kysely)
  } finally {
    await db.close()
  }
  return (performance.now() - started) / 1000
}

async function timedPage(url: string): Promise<{ ms: number; ids: number[] }> {
  const started = performance.now()
  const response = await fetch(url, { headers: { authorization } })
  const body = (await response.json()) as Array<{ id: number }>
  const ms = performance.now() - started
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body)}`)
  return { ms, ids: body.map((order) => order.id) }
}

async function measureEngine(engine: Engine, scenario: PagesScenario, pin: string[]): Promise<PagesResult> {
  const sqliteDirectory = engine === 'sqlite' ? mkdtempSync(join(tmpdir(), 'flowcart-bench-pages-')) : undefined
  const databaseUrl = sqliteDirectory ? `sqlite:${join(sqliteDirectory, 'flowcart.db')}` : await freshDatabase(BENCH_DB)
  try {
    const fillSeconds = await fillOrders(databaseUrl, engine, scenario.orders)
    const server = await startServer('dist/src/server.js', '/healthz', {
      env: { DATABASE_URL: databaseUrl, API_PASSWORD: PASSWORD },
      pin,
    })
    try {
      // Ids run 1 to `orders`, newest first: the last page holds ids PAGE_SIZE down to 1, after the one above them.
      const deepOffset = scenario.orders - PAGE_SIZE
      const pages: PageTimes[] = [
        { name: 'first page', query: `pageSize=${PAGE_SIZE}`, timesMs: [] },
        { name: 'last page, offset', query: `pageSize=${PAGE_SIZE}&offset=${deepOffset}`, timesMs: [] },
        { name: 'last page, after', query: `pageSize=${PAGE_SIZE}&after=${PAGE_SIZE + 1}`, timesMs: [] },
      ]
      const answers = await Promise.all(pages.slice(1).map((page) => timedPage(`${server.url}/orders?${page.query}`)))
      const expected = Array.from({ length: PAGE_SIZE }, (_, index) => PAGE_SIZE - index)
      for (const [index, answer] of answers.entries()) {
        if (JSON.stringify(answer.ids) !== JSON.stringify(expected)) {
          throw new Error(`${pages[index + 1]?.name} answered ids ${answer.ids.slice(0, 5).join(', ')}…`)
        }
      }
      // Warmed up first (the JIT, the pools, the prepared statements): the rounds time a server that has served.
      for (const page of pages)
        for (let index = 0; index < 20; index++) await timedPage(`${server.url}/orders?${page.query}`)
      for (let round = 1; round <= scenario.rounds; round++) {
        for (const page of pages) {
          const until = performance.now() + scenario.seconds * 1000
          while (performance.now() < until)
            page.timesMs.push((await timedPage(`${server.url}/orders?${page.query}`)).ms)
          process.stdout.write(`round ${round}/${scenario.rounds}: getOrders ${page.name}, ${engine} done\n`)
        }
      }
      return { engine, orders: scenario.orders, fillSeconds, pages }
    } finally {
      await server.stop()
    }
  } finally {
    if (sqliteDirectory) rmSync(sqliteDirectory, { recursive: true, force: true })
    else await dropDatabase(BENCH_DB)
  }
}

export async function measureDeepPages(scenario: PagesScenario): Promise<{ pinning: string; results: PagesResult[] }> {
  const pinning = choosePinning()
  const unpin = pinThisProcessToLoadCore(pinning)
  try {
    const results: PagesResult[] = []
    for (const engine of scenario.engines) results.push(await measureEngine(engine, scenario, pinning.server))
    return { pinning: pinning.description, results }
  } finally {
    unpin()
  }
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN
}
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`

export function formatDeepPages({ pinning, results }: { pinning: string; results: PagesResult[] }): string {
  const lines = [
    '## getOrders deep in the list',
    '',
    `${pinning}. Each page asked one request after the other from the bench process (on the load generator's core),`,
    `${PAGE_SIZE} orders a page, in alternating rounds; each order one line, written straight into the database before`,
    'flowcart starts. The last page is asked with offset (every order before it read and skipped) and with after (the',
    'id of the last order of the page before it).',
    '',
    `| engine | orders | page | median | p99 | requests | vs first page | target (after ≤ ${TARGET_RATIO}× first page) |`,
    '|---|---|---|---|---|---|---|---|',
  ]
  for (const result of results) {
    const first = quantile(result.pages[0]?.timesMs ?? [], 0.5)
    for (const page of result.pages) {
      const median = quantile(page.timesMs, 0.5)
      const ratio = median / first
      const verdict = page.query.includes('after=') ? (ratio <= TARGET_RATIO ? 'met' : 'MISSED') : ''
      lines.push(
        `| ${result.engine} | ${result.orders.toLocaleString('en')} | ${page.name} (\`${page.query}\`) | ${ms(median)} | ${ms(quantile(page.timesMs, 0.99))} | ${page.timesMs.length} | ${ratio.toFixed(2)}× | ${verdict} |`,
      )
    }
  }
  const fills = results.map((result) => `${result.engine} ${result.fillSeconds.toFixed(0)} s`).join(', ')
  lines.push('', `Writing the orders took ${fills}.`)
  return lines.join('\n')
}

/** The rows npm run bench adds: PostgreSQL (the production path) when it answers, then SQLite. */
export async function benchDeepPages(postgres: boolean): Promise<string> {
  return formatDeepPages(
    await measureDeepPages({
      engines: postgres ? ['postgres', 'sqlite'] : ['sqlite'],
      orders: 1_000_000,
      rounds: Number(process.env.BENCH_ROUNDS ?? 5),
      seconds: Number(process.env.BENCH_SECONDS ?? 5),
    }),
  )
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const problem = await postgresProblem()
  const wanted = (process.env.DEEP_PAGES_ENGINES ?? 'postgres,sqlite').split(',') as Engine[]
  if (problem && wanted.includes('postgres')) console.log(`PostgreSQL rows SKIPPED: ${problem}`)
  console.log(
    formatDeepPages(
      await measureDeepPages({
        engines: wanted.filter((engine) => engine === 'sqlite' || (engine === 'postgres' && !problem)),
        orders: Number(process.env.DEEP_PAGES_ORDERS ?? 1_000_000),
        rounds: Number(process.env.BENCH_ROUNDS ?? 5),
        seconds: Number(process.env.BENCH_SECONDS ?? 5),
      }),
    ),
  )
}
