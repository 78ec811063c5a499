// Creating and changing a product, each in a transaction of its own. A new product's stock (none yet) is recorded
// for Salesforce like any other stock level, so a Product2 with the same ProductCode shows what flowcart has.
import type { Database } from '../db/connect.js'
import { NotFound, SkuTaken } from '../errors.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import { changedColumns, newProductFields } from './product-fields.js'
import { findProductRow, insertProduct, toProduct, updateProductRow } from './repository.js'
import type { Product, ProductChanges, ProductInput } from './schemas.js'

export function createProduct(db: Database, stockEvents: StockEventOutbox, input: ProductInput): Promise<Product> {
  const fields = newProductFields(input, new Date().toISOString())
  return stockEvents.transact(db, async (trx) => {
    const product = await insertProduct(trx, input.sku, fields, 0)
    if (!product) throw new SkuTaken(input.sku)
    await stockEvents.record(trx, [{ productId: product.id, sku: product.sku, quantityInStock: 0 }])
    return product
  })
}

export function updateProduct(db: Database, id: number, changes: ProductChanges): Promise<Product> {
  return db.transact(async (trx) => {
    const row = await findProductRow(trx, id)
    if (!row) throw new NotFound(`Product ${id} does not exist.`)
    const changed = changedColumns(row, changes, new Date().toISOString())
    if (!changed) return toProduct(row)
    return (await updateProductRow(trx, id, changed)) as Product
  })
}
