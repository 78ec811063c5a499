// The whole catalog as one org's Salesforce holds it, read by query, and written into flowcart in one transaction:
// the import at first start, after a replay id Salesforce refused, and for an overflow event.
import type { Kysely } from 'kysely'
import type { Tables } from '../db/tables.js'
import { archiveProductsOutside, findManyByProduct2, type SourceState, writeSourceState } from './catalog-records.js'
import type { PriceEntryRecord, Product2Record, SalesforceCatalog } from './salesforce-catalog.js'

export interface CatalogSnapshot {
  products: Product2Record[]
  /** Standard price book entries by Product2 Id. */
  prices: Map<string, PriceEntryRecord>
}

export function pricesByProduct(entries: PriceEntryRecord[]): Map<string, PriceEntryRecord> {
  return new Map(entries.map((entry) => [entry.product2Id, entry]))
}

export async function readSnapshot(salesforce: SalesforceCatalog, pricebookId: string | undefined) {
  const [products, prices] = await Promise.all([
    salesforce.allProducts(),
    pricebookId ? salesforce.standardPrices(pricebookId) : Promise.resolve([]),
  ])
  return { products, prices: pricesByProduct(prices) } satisfies CatalogSnapshot
}

/** What a Product2 record and its standard price (if any) say of a product. */
export function stateOfRecords(product: Product2Record, price: PriceEntryRecord | undefined): SourceState {
  return {
    product2Id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    product2Active: product.active,
    product2Deleted: false,
    priceEntryId: price?.id ?? null,
    unitPrice: price?.unitPrice ?? null,
    priceActive: price?.active ?? false,
    stock: product.stock,
  }
}

export interface SnapshotOutcome {
  created: number
  updated: number
  skipped: Array<{ product2Id: string; reason: string }>
  archived: number
}

export async function writeSnapshot(
  trx: Kysely<Tables>,
  snapshot: CatalogSnapshot,
  options: { currencyCode: string; now: string },
): Promise<SnapshotOutcome> {
  const outcome: SnapshotOutcome = { created: 0, updated: 0, skipped: [], archived: 0 }
  // What the catalog holds for every Product2 of the snapshot, in one read rather than one per product.
  const known = await findManyByProduct2(
    trx,
    snapshot.products.map((product) => product.id),
  )
  for (const product of snapshot.products) {
    const state = stateOfRecords(product, snapshot.prices.get(product.id))
    const written = await writeSourceState(trx, state, options, { stored: known.get(product.id) })
    if (written.outcome === 'created') outcome.created += 1
    else if (written.outcome === 'updated') outcome.updated += 1
    else if (written.outcome === 'skipped')
      outcome.skipped.push({ product2Id: product.id, reason: written.reason ?? '' })
  }
  outcome.archived = await archiveProductsOutside(trx, new Set(snapshot.products.map((p) => p.id)), options.now)
  return outcome
}
