// Writes flowcart's stock into Product2: remembered Ids make a warm sync one sObject Collections call per 200 products.
import type { SalesforceClient } from './client.js'
import type { SalesforceConfig } from './config.js'
import { PRODUCT_OBJECT } from './names.js'
import { type RecordResult, type Refusal, recordErrorsText, refusalOf } from './record-result.js'
import type { SalesforceLogger } from './token-provider.js'

/** A product's stock, as it is written into its Product2. */
export interface StockLevel {
  productId: number
  sku: string
  quantityInStock: number
}

/** What became of a product's Product2 record; the caller words it for its own users. */
export type SyncOutcome =
  | { status: 'updated'; recordId: string }
  /** No Product2 has the product's SKU in `matchField`. */
  | { status: 'notFound'; matchField: string }
  | { status: 'failed'; recordId: string; refusal: Refusal }

/** The Product2 Ids remembered in flowcart's database (product-ids.ts, through src/salesforce-store.ts). */
export interface ProductIdCache {
  /** The remembered Id, or null when a look-up after `missingSince` found no Product2. */
  findSalesforceIds(productIds: number[], missingSince: Date): Promise<Map<number, string | null>>
  /** Stores what a look-up found: an Id, or null for "Salesforce has no such product" (as of now). */
  rememberSalesforceIds(ids: Map<number, string | null>): Promise<void>
}

/** SOQL IN lists are chunked (by count and by encoded size) so a query URL stays well under Salesforce's limits. */
const LOOKUP_CHUNK = 200
const LOOKUP_CHUNK_BYTES = 8_000
/** A SKU Salesforce did not have is looked up again after this long (someone may have created its Product2). */
export const MISSING_RECHECK_MS = 15 * 60_000
/** Per-record errors that mean "this remembered Id is gone": look the SKU up again, once. */
const STALE_ID_CODES = new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY', 'NOT_FOUND', 'INVALID_ID_FIELD'])

const soqlString = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`

/** Salesforce's own words for the records it refused, as one log line. */
const failureReasons = (failures: Array<{ sku: string; recordId: string; result: RecordResult }>) =>
  failures
    .map(({ sku, recordId, result }) => `${sku} (${recordId}): ${recordErrorsText(result) || 'no reason given'}`)
    .join(' | ')

function lookUpChunks(items: StockLevel[]): StockLevel[][] {
  const chunks: StockLevel[][] = []
  let chunk: StockLevel[] = []
  let bytes = 0
  for (const item of items) {
    const size = encodeURIComponent(soqlString(item.sku)).length + 3
    if (chunk.length === LOOKUP_CHUNK || (chunk.length > 0 && bytes + size > LOOKUP_CHUNK_BYTES)) {
      chunks.push(chunk)
      chunk = []
      bytes = 0
    }
    chunk.push(item)
    bytes += size
  }
  if (chunk.length > 0) chunks.push(chunk)
  return chunks
}

export function createStockSync(client: SalesforceClient, ids: ProductIdCache, config: SalesforceConfig) {
  const { productMatchField: matchField, stockField } = config

  async function lookUp(items: StockLevel[]): Promise<Map<number, string>> {
    const found = new Map<number, string>()
    for (const chunk of lookUpChunks(items)) {
      const skus = [...new Set(chunk.map((item) => item.sku))]
      const records = await client.query<Record<string, string>>(
        `SELECT Id, ${matchField} FROM ${PRODUCT_OBJECT} WHERE ${matchField} IN (${skus.map(soqlString).join(', ')})`,
      )
      // SOQL compares text case-insensitively, so the answer may spell the SKU differently.
      const idBySku = new Map<string, string>()
      for (const record of records) {
        const sku = record[matchField]?.toLowerCase()
        if (sku !== undefined && record.Id && !idBySku.has(sku)) idBySku.set(sku, record.Id)
      }
      for (const item of chunk) {
        const id = idBySku.get(item.sku.toLowerCase())
        if (id) found.set(item.productId, id)
      }
    }
    await ids.rememberSalesforceIds(new Map(items.map((item) => [item.productId, found.get(item.productId) ?? null])))
    return found
  }

  async function update(items: StockLevel[], recordIds: Map<number, string>) {
    const targets = items.filter((item) => recordIds.has(item.productId))
    const results = await client.updateRecords(
      PRODUCT_OBJECT,
      targets.map((item) => ({ Id: recordIds.get(item.productId) as string, [stockField]: item.quantityInStock })),
    )
    return new Map(targets.map((item, index) => [item.productId, results[index] as RecordResult]))
  }

  return {
    /**
     * Throws the client's typed errors when Salesforce cannot be reached or refuses auth: Flow takes its fault path.
     * Records Salesforce refused are logged to `log` (the request's, so under its id).
     */
    async syncInventory<T extends StockLevel>(
      items: T[],
      log: SalesforceLogger,
    ): Promise<Array<{ item: T; outcome: SyncOutcome }>> {
      const known = await ids.findSalesforceIds(
        items.map((item) => item.productId),
        new Date(Date.now() - MISSING_RECHECK_MS),
      )
      const remembered = new Map([...known].filter((entry): entry is [number, string] => entry[1] !== null))
      const freshlyFound = await lookUp(items.filter((item) => !known.has(item.productId)))
      const recordIds = new Map([...remembered, ...freshlyFound])
      const results = await update(items, recordIds)

      // A remembered Id that Salesforce no longer knows: forget it, look the SKU up again once, retry those.
      const stale = items.filter((item) => {
        const result = results.get(item.productId)
        return (
          remembered.has(item.productId) &&
          result &&
          !result.success &&
          result.errors.some((e) => STALE_ID_CODES.has(e.statusCode))
        )
      })
      if (stale.length > 0) {
        for (const item of stale) recordIds.delete(item.productId)
        const relocated = await lookUp(stale)
        for (const [productId, id] of relocated) recordIds.set(productId, id)
        for (const [productId, result] of await update(stale, relocated)) results.set(productId, result)
      }

      const failures: Array<{ sku: string; recordId: string; result: RecordResult }> = []
      const synced = items.map((item) => {
        const recordId = recordIds.get(item.productId)
        const result = results.get(item.productId)
        let outcome: SyncOutcome
        if (!recordId || !result) {
          outcome = { status: 'notFound', matchField }
        } else if (result.success) {
          outcome = { status: 'updated', recordId }
        } else {
          failures.push({ sku: item.sku, recordId, result })
          outcome = { status: 'failed', recordId, refusal: refusalOf(result) }
        }
        return { item, outcome }
      })
      if (failures.length > 0) {
        log.warn({ failed: failures.length, reason: failureReasons(failures) }, 'Salesforce refused Product2 updates')
      }
      return synced
    },
  }
}

export type StockSync = ReturnType<typeof createStockSync>
