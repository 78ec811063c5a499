// Setting a product's stock (a stocktake): the new level and its platform event committed together.
import type { Database } from '../db/connect.js'
import { NotFound } from '../errors.js'
import type { StockEventOutbox } from '../outbox/stock-event-outbox.js'
import { updateStock } from './repository.js'
import type { Inventory } from './schemas.js'

export function setStock(
  db: Database,
  stockEvents: StockEventOutbox,
  productId: number,
  quantityInStock: number,
): Promise<Inventory> {
  return stockEvents.transact(db, async (trx) => {
    const stock = await updateStock(trx, productId, quantityInStock)
    if (!stock) throw new NotFound(`Product ${productId} does not exist.`)
    await stockEvents.record(trx, [{ productId, sku: stock.sku, quantityInStock }])
    return stock
  })
}
