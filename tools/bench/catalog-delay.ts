// How long after a Product2 edit in Salesforce flowcart serves it, at a steady rate of edits: each rename's delay from
// the emulator's write (its commit in Salesforce, which makes the change event) to the first read of flowcart's
// database that finds the new name, i.e. once flowcart's transaction has committed and any request would answer it.
// Read from the database in the bench process rather than by GET /products/{id}: polling the API every few ms would
// load the very process being timed, and the API answers what the database holds.
import type { CatalogBench, Engine } from './catalog-following.js'
import { sleep } from './catalog-following.js'

/** How often the bench reads the names of the renames not yet seen: the resolution of each delay. */
const POLL_MS = 2
/** A rename not seen this long after it was made counts as lost. */
const LOST_AFTER_MS = 30_000

export interface CatalogDelayResult {
  engine: Engine
  perSecond: number
  seconds: number
  /** Renames made, and how many flowcart never showed within LOST_AFTER_MS. */
  changes: number
  lost: number
  /** The rate the renames were actually made at (timers may lag). */
  achievedPerSecond: number
  delaysMs: { p50: number; p99: number; max: number }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number)

interface Pending {
  sku: string
  name: string
  madeAt: number
}

/**
 * With flowcart live: `perSecond` renames a second for `seconds` seconds, product after product (each product renamed
 * again only after all the others), each at its own time on a fixed schedule, so a slow answer never slows the rate.
 */
export async function measureCatalogDelay(
  bench: CatalogBench,
  { perSecond, seconds }: { perSecond: number; seconds: number },
): Promise<CatalogDelayResult> {
  const { org, reader } = bench
  const { products } = org
  const total = perSecond * seconds
  const everyMs = 1000 / perSecond
  const pending = new Map<string, Pending>()
  const delays: number[] = []
  let lost = 0
  let made = 0

  const start = performance.now() + 100
  const writer = (async () => {
    for (let index = 0; index < total; index++) {
      const due = start + index * everyMs
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      const product = products[index % products.length]
      if (!product) throw new Error('The catalog bench has no products')
      const name = `Product renamed at ${index}`
      const madeAt = performance.now()
      org.emulator.updateRecord(product.id, { Name: name })
      // A product is renamed again only after every other one: with hundreds of products, long after this one is seen.
      if (pending.has(product.sku)) lost++
      pending.set(product.sku, { sku: product.sku, name, madeAt })
      made++
    }
    return performance.now()
  })()
  let writing = true
  const lastMadeAt = writer.finally(() => {
    writing = false
  })

  while (writing || pending.size > 0) {
    if (pending.size > 0) {
      const names = await reader.namesOf([...pending.keys()])
      const seenAt = performance.now()
      for (const change of [...pending.values()]) {
        if (names.get(change.sku) === change.name) {
          delays.push(seenAt - change.madeAt)
          pending.delete(change.sku)
        } else if (seenAt - change.madeAt > LOST_AFTER_MS) {
          lost++
          pending.delete(change.sku)
        }
      }
    }
    await sleep(POLL_MS)
  }
  const finished = await lastMadeAt
  delays.sort((a, b) => a - b)
  return {
    engine: bench.engine,
    perSecond,
    seconds,
    changes: made,
    lost,
    achievedPerSecond: (made - 1) / ((finished - start) / 1000),
    delaysMs: { p50: percentile(delays, 0.5), p99: percentile(delays, 0.99), max: delays.at(-1) ?? Number.NaN },
  }
}
