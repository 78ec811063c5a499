// A catalog loaded from rows (a CSV file, catalog/product-csv.ts), all in one transaction, matched by SKU: a new SKU
// is created, a known one changed where it differs, and a row that fails undoes the whole load.
import type { Kysely, Selectable } from 'kysely'
import type { Database } from '../db/connect.js'
import type { ProductsTable, Tables } from '../db/tables.js'
import { DomainError } from '../errors.js'
import type { StockChange } from '../outbox/outbox-rows.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import { changedColumns, newProductFields } from './product-fields.js'
import { findProductsBySku, insertProduct, updateProductRow } from './repository.js'
import type { ProductInput } from './schemas.js'

export interface ProductRow {
  /** Where the row is in its file, to name it when it fails. */
  line: number
  product: ProductInput
  /** The stock to set; undefined keeps the current stock (a new product starts with none). */
  quantityInStock: number | undefined
}

export interface ImportOutcome {
  created: number
  updated: number
  unchanged: number
  stockSet: number
}

/** A row the database refused; nothing of the load was kept. */
export class ImportRowRefused extends DomainError {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`)
  }
}

/** SKUs looked up per statement: well under SQLite's (32,766) and PostgreSQL's (65,535) limits on parameters. */
const LOOKUP_BATCH = 500

async function currentProducts(trx: Kysely<Tables>, skus: string[]) {
  const bySku = new Map<string, Selectable<ProductsTable>>()
  for (let start = 0; start < skus.length; start += LOOKUP_BATCH) {
    for (const row of await findProductsBySku(trx, skus.slice(start, start + LOOKUP_BATCH))) bySku.set(row.sku, row)
  }
  return bySku
}

/** Rows with distinct SKUs (product-csv.ts refuses a file that repeats one). */
export function importProducts(
  db: Database,
  stockEvents: StockEventOutbox,
  rows: ProductRow[],
): Promise<ImportOutcome> {
  return stockEvents.transact(db, async (trx) => {
    const outcome: ImportOutcome = { created: 0, updated: 0, unchanged: 0, stockSet: 0 }
    const stockChanges: StockChange[] = []
    const existing = await currentProducts(
      trx,
      rows.map((row) => row.product.sku),
    )
    const now = new Date().toISOString()
    for (const { line, product, quantityInStock } of rows) {
      const current = existing.get(product.sku)
      if (!current) {
        const created = await insertProduct(trx, product.sku, newProductFields(product, now), quantityInStock ?? 0)
        // Another writer created the SKU since the look-up: refuse rather than overwrite what it wrote.
        if (!created) throw new ImportRowRefused(line, `SKU ${product.sku} was created meanwhile; import again.`)
        outcome.created += 1
        stockChanges.push({ productId: created.id, sku: created.sku, quantityInStock: created.quantityInStock })
        continue
      }
      const changed = changedColumns(current, product, now) ?? {}
      const stockChanged = quantityInStock !== undefined && quantityInStock !== current.quantity_in_stock
      if (stockChanged) changed.quantity_in_stock = quantityInStock
      if (Object.keys(changed).length === 0) {
        outcome.unchanged += 1
        continue
      }
      await updateProductRow(trx, current.id, changed)
      outcome.updated += 1
      if (stockChanged) stockChanges.push({ productId: current.id, sku: current.sku, quantityInStock })
    }
    outcome.stockSet = stockChanges.length
    await stockEvents.record(trx, stockChanges)
    return outcome
  })
}
