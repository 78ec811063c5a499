// npm run demo -- --catalog: the demo catalog as an org would hold it, Product2 records with their standard prices and
// stock, for the emulator to start with. Read from the very catalog flowcart seeds (seeded into a database in memory),
// so that the import at start fills flowcart with the demo catalog it would otherwise have seeded itself.
import { openDatabase } from '../../src/db/connect.js'
import { prepareDatabase } from '../../src/prepare-database.js'
import type { EmulatorProduct } from '../salesforce-emulator/index.js'

export async function demoCatalogAsProduct2(): Promise<EmulatorProduct[]> {
  const db = await openDatabase('sqlite::memory:')
  try {
    await prepareDatabase(db, { seedDemoData: true })
    const products = await db.kysely
      .selectFrom('products')
      .select(['sku', 'name', 'description', 'price_cents', 'quantity_in_stock'])
      .orderBy('id')
      .execute()
    return products.map((product) => ({
      Name: product.name,
      ProductCode: product.sku,
      Description: product.description,
      IsActive: true,
      // Not a Product2 field: the emulator gives the product this UnitPrice in the standard price book.
      standardPrice: Number(product.price_cents) / 100,
      Qty_In_Stock__c: product.quantity_in_stock,
    }))
  } finally {
    await db.close()
  }
}
