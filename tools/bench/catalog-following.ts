// flowcart following an org's catalog, for the catalog rows: the compiled server as the Procfile runs it, pinned to
// its own core, on a database of its own, started (and stopped with SIGTERM, as Heroku stops a dyno) as a row needs.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CatalogOrg, PRICE_TOPIC, PRODUCT_TOPIC, startCatalogOrg } from './catalog-org.js'
import { type CatalogReader, openCatalogReader } from './catalog-reader.js'
import { dropDatabase, freshDatabase } from './databases.js'
import { type RunningServer, startServer } from './processes.js'

export type Engine = 'sqlite' | 'postgres'

const BENCH_DB = 'flowcart_bench_catalog'
/** Gives up on a subscription that is not live after this long. */
const LIVE_TIMEOUT_MS = 60_000

export interface CatalogBench {
  engine: Engine
  org: CatalogOrg
  reader: CatalogReader
  /** The running flowcart; undefined while stopped. */
  server: RunningServer | undefined
  /** Starts flowcart (resolves once /healthz answers). */
  start(): Promise<RunningServer>
  /** SIGTERM, and its exit. */
  stop(): Promise<void>
  close(): Promise<void>
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

/** An org of `productCount` products and flowcart following it, its catalog imported and both topics live. */
export async function openCatalogBench(engine: Engine, productCount: number, pin: string[]): Promise<CatalogBench> {
  const org = await startCatalogOrg(productCount)
  const sqliteDirectory = engine === 'sqlite' ? mkdtempSync(join(tmpdir(), 'flowcart-bench-catalog-')) : undefined
  const databaseUrl = sqliteDirectory ? `sqlite:${join(sqliteDirectory, 'flowcart.db')}` : await freshDatabase(BENCH_DB)
  let reader: CatalogReader | undefined
  const bench: CatalogBench = {
    engine,
    org,
    get reader() {
      if (!reader) throw new Error('flowcart has not created its tables yet')
      return reader
    },
    server: undefined,
    async start() {
      bench.server = await startServer('dist/src/server.js', '/healthz', { env: org.env(databaseUrl), pin })
      return bench.server
    },
    async stop() {
      await bench.server?.stop()
      bench.server = undefined
    },
    async close() {
      await bench.stop()
      await reader?.close()
      await org.close()
      if (sqliteDirectory) rmSync(sqliteDirectory, { recursive: true, force: true })
      else await dropDatabase(BENCH_DB)
    },
  }
  try {
    const server = await bench.start()
    // flowcart creates its tables at start: the reader opens after.
    reader = await openCatalogReader(databaseUrl)
    await waitUntilLive(bench, server)
    return bench
  } catch (error) {
    await bench.close()
    throw error
  }
}

interface Health {
  catalogSync?: { orgs: { state: string }[] }
}

/**
 * Until /healthz shows the org's subscription live and both topics have a stored replay id. A subscription that starts
 * from LATEST stores one with its first event (or a keepalive, which Salesforce sends within 270 s), so the first
 * product is renamed and repriced, as somebody editing it would, until both topics have one.
 */
async function waitUntilLive(bench: CatalogBench, server: RunningServer): Promise<void> {
  const { emulator, products } = bench.org
  const first = products[0]
  if (!first) throw new Error('The catalog bench needs at least one product')
  const deadline = Date.now() + LIVE_TIMEOUT_MS
  for (let attempt = 1; ; attempt++) {
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as Health
    const live = health.catalogSync?.orgs[0]?.state === 'live'
    const [product, price] = await Promise.all([
      bench.reader.checkpoint(PRODUCT_TOPIC),
      bench.reader.checkpoint(PRICE_TOPIC),
    ])
    if (live && product && price) return
    if (Date.now() > deadline) {
      throw new Error(`flowcart's subscription was not live in ${LIVE_TIMEOUT_MS / 1000} s: ${JSON.stringify(health)}`)
    }
    if (!product) emulator.updateRecord(first.id, { Name: `Product 1 (warm-up ${attempt})` })
    if (!price) emulator.setStandardPrice(first.id, 10 + attempt / 100)
    await sleep(500)
  }
}
