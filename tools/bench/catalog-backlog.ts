// A backlog of Product2 changes made while flowcart was stopped (a deploy, a restart, an outage of the dyno): how fast
// flowcart applies them from the moment it starts again, resuming after the replay id it stored.
import type { CatalogBench, Engine } from './catalog-following.js'
import { sleep } from './catalog-following.js'
import { PRODUCT_TOPIC } from './catalog-org.js'

/** Gives up waiting for the backlog after this long. */
const MAX_SECONDS = 120
/** How often the bench reads the stored replay id: the resolution of the time measured. */
const POLL_MS = 10

export interface CatalogBacklogResult {
  engine: Engine
  changes: number
  products: number
  /** From flowcart's spawn to the last change's commit; undefined when MAX_SECONDS passed first. */
  totalSeconds: number | undefined
  /** From the spawn to /healthz answering. */
  readySeconds: number
  /** From the spawn to the first change of the backlog applied (its transaction's start). */
  firstAppliedSeconds: number | undefined
  /** CPU time of the flowcart process from /healthz answering to the last commit, per change (µs). */
  serverCpuMicroseconds: number | undefined
  /** Change events recorded as applied during the run (should be `changes`). */
  applied: number
  /** Products whose name is not their last rename. */
  wrongNames: number
}

const nameAfter = (productIndex: number, round: number) => `Product ${productIndex + 1}, rename ${round + 1}`

/**
 * With flowcart live: stops it (SIGTERM), renames every product `changes / products` times in the emulator (round
 * after round over all of them, as a bulk edit does), starts flowcart again, and times it until the stored replay id
 * is the topic's newest. Leaves flowcart running and live.
 */
export async function measureCatalogBacklog(bench: CatalogBench, changes: number): Promise<CatalogBacklogResult> {
  const { org, reader } = bench
  const products = org.products
  await bench.stop()
  const appliedBefore = await reader.appliedEvents()
  const rounds = Math.ceil(changes / products.length)
  let made = 0
  for (let round = 0; round < rounds && made < changes; round++) {
    for (const [index, product] of products.entries()) {
      if (made === changes) break
      org.emulator.updateRecord(product.id, { Name: nameAfter(index, round) })
      made++
    }
  }
  const last = org.lastReplayId(PRODUCT_TOPIC)

  const spawnedAt = new Date()
  const started = performance.now()
  const server = await bench.start()
  const readySeconds = (performance.now() - started) / 1000
  const cpuAtReady = server.cpuMicroseconds()
  let totalSeconds: number | undefined
  let serverCpuMicroseconds: number | undefined
  while (performance.now() - started < MAX_SECONDS * 1000) {
    if ((await reader.checkpoint(PRODUCT_TOPIC)) === last) {
      totalSeconds = (performance.now() - started) / 1000
      serverCpuMicroseconds = (server.cpuMicroseconds() - cpuAtReady) / changes
      break
    }
    await sleep(POLL_MS)
  }
  const firstApplied = await reader.firstAppliedSince(spawnedAt)
  const names = await reader.namesOf(products.map((product) => product.sku))
  // The last rename each product got: the last full round, or the one before for those the last round did not reach.
  const lastRound = (index: number) => (index < changes - (rounds - 1) * products.length ? rounds - 1 : rounds - 2)
  const wrongNames = products.filter(
    (product, index) => lastRound(index) >= 0 && names.get(product.sku) !== nameAfter(index, lastRound(index)),
  ).length
  return {
    engine: bench.engine,
    changes,
    products: products.length,
    totalSeconds,
    readySeconds,
    firstAppliedSeconds: firstApplied === undefined ? undefined : (firstApplied - spawnedAt.getTime()) / 1000,
    serverCpuMicroseconds,
    applied: (await reader.appliedEvents()) - appliedBefore,
    wrongNames,
  }
}
