// npm run demo -- --catalog: the story of a catalog that follows Salesforce. What a person changes in Salesforce is
// made through the emulator's /__emulator controls, which stand for the Salesforce UI (tools/salesforce-emulator/
// README.md, "Controls over HTTP"): each change is one request, printed as a curl line and sent as it is by the check.
import { ProductInput } from '../../src/catalog/schemas.js'

/** The product the story changes, as flowcart and the emulator know it after the import. */
export interface CatalogStoryProduct {
  productId: number
  product2Id: string
  sku: string
  name: string
  price: number
  currencyCode: string
  quantityInStock: number
}

/** One request to the emulator's controls, relative to its login URL ($SF). */
export interface EmulatorRequest {
  method: 'PATCH' | 'PUT'
  path: string
  body: Record<string, unknown>
}

/** What the person in Salesforce types in: a new name, a new standard price (10 % off) and a stock level of their own. */
export function salesforceEdits(product: CatalogStoryProduct) {
  const name = `${product.name}, 2027 edition`
  const price = Math.round(product.price * 90) / 100
  const stock = product.quantityInStock + 5
  const record = `/__emulator/records/${product.product2Id}`
  return {
    name,
    price,
    stock,
    // updateRecord and setStandardPrice: a Product2 UPDATE and a PricebookEntry UPDATE, with no client origin.
    rename: { method: 'PATCH', path: record, body: { Name: name } } satisfies EmulatorRequest,
    reprice: { method: 'PUT', path: `${record}/standard-price`, body: { unitPrice: price } } satisfies EmulatorRequest,
    editStock: { method: 'PATCH', path: record, body: { Qty_In_Stock__c: stock } } satisfies EmulatorRequest,
  }
}

/** The contract's own createProduct example: a valid request that only the catalog's master refuses. */
export const NEW_PRODUCT = (ProductInput as unknown as { example: Record<string, unknown> }).example

/** JSON in single quotes for a POSIX shell. */
const quoted = (value: unknown) => `'${JSON.stringify(value).replaceAll("'", `'\\''`)}'`

export const curlToEmulator = ({ method, path, body }: EmulatorRequest) =>
  `curl -X ${method} -H 'content-type: application/json' -d ${quoted(body)} $SF${path}`

export const curlCreateProduct = (curlAuth: string) =>
  `curl ${curlAuth} -H 'content-type: application/json' -d ${quoted(NEW_PRODUCT)} $FC/products`

/** The walkthrough's steps, for the reader to run in another terminal (its header and exports are demo.ts's). */
export function catalogWalkthrough(
  product: CatalogStoryProduct,
  { curlAuth, health, productCount }: { curlAuth: string; health: string; productCount: number },
): string {
  const edits = salesforceEdits(product)
  return `1. The catalog: ${productCount} products imported from the Product2 records and the standard price book at start
   (this mode never seeds the demo catalog; the emulator holds it):
   curl ${curlAuth} "$FC/products"
   The subscription to Product2 and PricebookEntry change events (catalogSync, state live):
   curl $FC${health}
2. A person renames product ${product.productId} ("${product.name}", Product2 ${product.product2Id}) in Salesforce and sets its
   standard price to ${edits.price} ${product.currencyCode}:
   ${curlToEmulator(edits.rename)}
   ${curlToEmulator(edits.reprice)}
   Within a few seconds flowcart answers "${edits.name}" at ${edits.price}:
   curl ${curlAuth} $FC/products/${product.productId}
3. flowcart's own catalog writes answer 409 CATALOG_FROM_SALESFORCE (createProduct; updateProduct alike):
   ${curlCreateProduct(curlAuth)}
4. Someone types ${edits.stock} into the product's Qty_In_Stock__c in Salesforce. Stock stays flowcart's: within a few
   seconds flowcart writes its ${product.quantityInStock} back into the record, and the demo's terminal logs a warning
   ("stock edited in Salesforce overwritten"; SF_CATALOG_STOCK_EDITS=accept would take ${edits.stock} instead):
   ${curlToEmulator(edits.editStock)}
   curl $SF/__emulator/records`
}
