// Setting a product's stock (a stocktake): the new level and its platform event committed together.
import type { Database } from '../db/connect.js'
import { NotFound } from '../errors.js'
import { recordStockChanges } from '../outbox/repository.js'
import { updateStock } from './repository.js'
import type { Inventory } from './schemas.js'

export function setStock(
  db: Database,
  productId: number,
  quantityInStock: number,
  options: { recordEvents: boolean },
): Promise<Inventory> {
  return db.transact(async (trx) => {
    const stock = await updateStock(trx, productId, quantityInStock)
    if (!stock) throw new NotFound(`Product ${productId} does not exist.`)
    if (options.recordEvents) await recordStockChanges(trx, [{ productId, sku: stock.sku, quantityInStock }])
    return stock
  })
}
