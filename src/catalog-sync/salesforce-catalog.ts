// The catalog as Salesforce holds it, read by SOQL: Product2 records and their entries in the standard price book.
// "Each product … must have a standard price before it can be added to a custom price book"; the standard price book
// is the one whose IsStandard is true (Object Reference: Pricebook2, PricebookEntry).
import type { SalesforceClient } from '../salesforce/client.js'
import { PRODUCT_OBJECT } from '../salesforce/names.js'

export interface Product2Record {
  id: string
  /** The match field's value (ProductCode by default); null or empty: the product has no SKU. */
  sku: string | null
  name: string
  description: string | null
  active: boolean
  /** The stock field's value, the starting stock of a product new to flowcart. */
  stock: number | null
}

export interface PriceEntryRecord {
  id: string
  product2Id: string
  pricebookId: string
  unitPrice: number
  active: boolean
}

export interface CatalogFields {
  matchField: string
  stockField: string
}

// An IN list of at most 200 Ids keeps the query URL well under Salesforce's length limit (as stock-sync.ts does).
const ID_CHUNK = 200
const quoted = (ids: string[]) => ids.map((id) => `'${id.replace(/[^A-Za-z0-9]/g, '')}'`).join(', ')

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += ID_CHUNK) out.push(items.slice(i, i + ID_CHUNK))
  return out
}

export function salesforceCatalog(client: SalesforceClient, fields: CatalogFields) {
  const { matchField, stockField } = fields
  const productColumns = ['Id', 'Name', 'Description', 'IsActive', matchField, stockField]
  const toProduct = (record: Record<string, unknown>): Product2Record => ({
    id: String(record.Id),
    sku: typeof record[matchField] === 'string' ? (record[matchField] as string) : null,
    name: String(record.Name ?? ''),
    description: typeof record.Description === 'string' ? record.Description : null,
    active: record.IsActive === true,
    stock: typeof record[stockField] === 'number' ? (record[stockField] as number) : null,
  })
  const toPrice = (record: Record<string, unknown>): PriceEntryRecord => ({
    id: String(record.Id),
    product2Id: String(record.Product2Id),
    pricebookId: String(record.Pricebook2Id),
    unitPrice: Number(record.UnitPrice ?? 0),
    active: record.IsActive === true,
  })
  const priceQuery = 'SELECT Id, Pricebook2Id, Product2Id, UnitPrice, IsActive FROM PricebookEntry'

  return {
    /** The standard price book's Id; undefined when the org has none (a price book feature turned off). */
    async standardPricebookId(): Promise<string | undefined> {
      const [record] = await client.query<{ Id: string }>('SELECT Id FROM Pricebook2 WHERE IsStandard = true')
      return record?.Id
    },
    async allProducts(): Promise<Product2Record[]> {
      const records = await client.query<Record<string, unknown>>(
        `SELECT ${productColumns.join(', ')} FROM ${PRODUCT_OBJECT}`,
      )
      return records.map(toProduct)
    },
    /** The records still there (a deleted one is not answered). */
    async productsById(ids: string[]): Promise<Product2Record[]> {
      const found: Product2Record[] = []
      for (const chunk of chunks(ids)) {
        const records = await client.query<Record<string, unknown>>(
          `SELECT ${productColumns.join(', ')} FROM ${PRODUCT_OBJECT} WHERE Id IN (${quoted(chunk)})`,
        )
        found.push(...records.map(toProduct))
      }
      return found
    },
    async standardPrices(pricebookId: string): Promise<PriceEntryRecord[]> {
      const records = await client.query<Record<string, unknown>>(
        `${priceQuery} WHERE Pricebook2Id = ${quoted([pricebookId])}`,
      )
      return records.map(toPrice)
    },
    async pricesById(ids: string[]): Promise<PriceEntryRecord[]> {
      const found: PriceEntryRecord[] = []
      for (const chunk of chunks(ids)) {
        const records = await client.query<Record<string, unknown>>(`${priceQuery} WHERE Id IN (${quoted(chunk)})`)
        found.push(...records.map(toPrice))
      }
      return found
    },
    async standardPricesOf(pricebookId: string, product2Ids: string[]): Promise<PriceEntryRecord[]> {
      const found: PriceEntryRecord[] = []
      for (const chunk of chunks(product2Ids)) {
        const records = await client.query<Record<string, unknown>>(
          `${priceQuery} WHERE Pricebook2Id = ${quoted([pricebookId])} AND Product2Id IN (${quoted(chunk)})`,
        )
        found.push(...records.map(toPrice))
      }
      return found
    },
  }
}

export type SalesforceCatalog = ReturnType<typeof salesforceCatalog>
