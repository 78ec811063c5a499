// npm run demo -- --catalog --check: the catalog-following story run once, each step checked against what flowcart
// answers and the emulator holds, within a time limit, and told as it happens. Throws on the first step that does not
// hold.
import {
  type CatalogStoryProduct,
  curlCreateProduct,
  curlToEmulator,
  type EmulatorRequest,
  NEW_PRODUCT,
  salesforceEdits,
} from './catalog-story.js'

export interface CatalogDemoSetting {
  /** flowcart's base URL. */
  fc: string
  /** The emulator's login URL, where its /__emulator controls are. */
  sf: string
  health: string
  callerHeaders: Record<string, string>
  curlAuth: string
  /** The SKU of the product the story changes. */
  sku: string
}

/** How long a change made in Salesforce may take to show in flowcart (or a stock edit to be put back). */
const STEP_MS = 5000
/**
 * How long the subscription may take to show live in /healthz: the process that holds it reports its state when it
 * renews its lease, every 5 s (src/catalog-sync/subscriber-lease.ts), so live shows up to 5 s after it is.
 */
const LIVE_MS = 12_000

interface Product {
  id: number
  sku: string
  name: string
  price: number
  currencyCode: string
  active: boolean
  quantityInStock: number
}
interface Product2 {
  Id: string
  Name: string
  ProductCode?: string
  Qty_In_Stock__c?: number | null
}
interface PriceEntry {
  Product2Id: string
  UnitPrice: number
  IsActive: boolean
}
interface StockEvent {
  type: string
  fields: Record<string, unknown>
}
interface Health {
  catalogSync?: { orgs: Array<{ org: string; master: boolean; state: string; lastError?: string }> }
}

async function answer<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init)
  return { status: response.status, body: (await response.json()) as T }
}

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const { status, body } = await answer<T>(url, init)
  if (status >= 300) throw new Error(`${init.method ?? 'GET'} ${url} answered ${status}: ${JSON.stringify(body)}`)
  return body
}

/**
 * Polls `probe` until it gives a value: the value and how long that took, or an error naming `what` and the last
 * thing the probe saw (it tells `saw`).
 */
async function within<T>(ms: number, what: string, probe: (saw: (seen: unknown) => void) => Promise<T | undefined>) {
  const started = Date.now()
  let lastSeen: unknown
  for (;;) {
    const value = await probe((seen) => {
      lastSeen = seen
    })
    if (value !== undefined) return { value, afterMs: Date.now() - started }
    if (Date.now() - started > ms)
      throw new Error(`${what}: not within ${ms} ms (last seen: ${JSON.stringify(lastSeen)})`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The catalog once the import at start has filled it: every Product2 of the emulator there is. */
export async function importedCatalog({ fc, sf, callerHeaders }: CatalogDemoSetting, withinMs = STEP_MS) {
  const records = await call<Product2[]>(`${sf}/__emulator/records`)
  return within(withinMs, `the import of ${records.length} Product2 records`, async (saw) => {
    const products = await call<Product[]>(`${fc}/products?pageSize=200`, { headers: callerHeaders })
    saw(`${products.length} products`)
    return products.length >= records.length ? products : undefined
  })
}

/** The story's product as flowcart and the emulator know it. */
export async function storyProduct({ fc, sf, callerHeaders, sku }: CatalogDemoSetting): Promise<CatalogStoryProduct> {
  const products = await call<Product[]>(`${fc}/products?pageSize=200`, { headers: callerHeaders })
  const product = products.find((p) => p.sku === sku)
  const record = (await call<Product2[]>(`${sf}/__emulator/records`)).find((r) => r.ProductCode === sku)
  if (!product || !record) throw new Error(`no product ${sku} in flowcart (${product?.id}) or Product2 (${record?.Id})`)
  return {
    productId: product.id,
    product2Id: record.Id,
    sku,
    name: product.name,
    price: product.price,
    currencyCode: product.currencyCode,
    quantityInStock: product.quantityInStock,
  }
}

export async function checkCatalog(setting: CatalogDemoSetting) {
  const { fc, sf, health, callerHeaders: auth, curlAuth } = setting
  const send = ({ method, path, body }: EmulatorRequest) =>
    fetch(`${sf}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (response) => {
      if (!response.ok) throw new Error(`${method} $SF${path} answered ${response.status}: ${await response.text()}`)
    })
  const productNow = (id: number) => call<Product>(`${fc}/products/${id}`, { headers: auth })
  const record = async (id: string) => (await call<Product2[]>(`${sf}/__emulator/records`)).find((r) => r.Id === id)

  // 1. Every Product2 with a ProductCode is a product, named and priced as in Salesforce, its stock the record's.
  const imported = await importedCatalog(setting)
  const records = await call<Product2[]>(`${sf}/__emulator/records`)
  const prices = await call<PriceEntry[]>(`${sf}/__emulator/price-entries`)
  if (imported.value.length !== records.length) {
    throw new Error(`flowcart lists ${imported.value.length} products, Salesforce has ${records.length} Product2`)
  }
  for (const record of records) {
    const product = imported.value.find((p) => p.sku === record.ProductCode)
    const price = prices.find((entry) => entry.Product2Id === record.Id)
    const expected = { name: record.Name, price: price?.UnitPrice, quantityInStock: record.Qty_In_Stock__c ?? 0 }
    const got = product && { name: product.name, price: product.price, quantityInStock: product.quantityInStock }
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      throw new Error(
        `product ${record.ProductCode} is ${JSON.stringify(got)}, Salesforce says ${JSON.stringify(expected)}`,
      )
    }
  }
  const product = await storyProduct(setting)
  console.log(
    `1. ${imported.value.length} products imported from Salesforce's Product2 records and standard price book after ${imported.afterMs} ms ("${product.name}" at ${product.price} ${product.currencyCode}, ${product.quantityInStock} in stock, …)`,
  )
  const live = await within(LIVE_MS, 'the change-event subscription live in healthz', async (saw) => {
    const orgs = (await call<Health>(`${fc}${health}`)).catalogSync?.orgs ?? []
    saw(orgs)
    const master = orgs.find((org) => org.master)
    return master?.state === 'live' ? master : undefined
  })
  console.log(`   healthz catalogSync: org ${live.value.org} (master) ${live.value.state} after ${live.afterMs} ms`)

  // 2. A person renames the product and changes its standard price in Salesforce; flowcart follows.
  const edits = salesforceEdits(product)
  console.log(
    `2. In Salesforce, Product2 ${product.product2Id} renamed "${edits.name}" and its standard price set to ${edits.price}:`,
  )
  for (const request of [edits.rename, edits.reprice]) {
    console.log(`   ${curlToEmulator(request)}`)
    await send(request)
  }
  const followed = await within(
    STEP_MS,
    `GET /products/${product.productId} with the new name and price`,
    async (saw) => {
      const now = await productNow(product.productId)
      saw(now)
      return now.name === edits.name && now.price === edits.price ? now : undefined
    },
  )
  console.log(
    `   GET /products/${product.productId} answered "${followed.value.name}" at ${followed.value.price} ${followed.value.currencyCode} after ${followed.afterMs} ms`,
  )

  // 3. flowcart's own catalog writes are refused: the catalog has one master.
  console.log(`3. flowcart's own catalog writes, createProduct as curl sends it:\n   ${curlCreateProduct(curlAuth)}`)
  const refusals = [
    { operation: 'createProduct', url: `${fc}/products`, method: 'POST', body: NEW_PRODUCT },
    { operation: 'updateProduct', url: `${fc}/products/${product.productId}`, method: 'PATCH', body: { name: 'X' } },
  ]
  for (const { operation, url, method, body } of refusals) {
    const refused = await answer<{ code?: string; message?: string }>(url, {
      method,
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    if (refused.status !== 409 || refused.body.code !== 'CATALOG_FROM_SALESFORCE') {
      throw new Error(`${operation} answered ${refused.status}: ${JSON.stringify(refused.body)}`)
    }
    console.log(`   ${operation} answered ${refused.status} ${refused.body.code}: "${refused.body.message}"`)
  }
  const unchanged = await productNow(product.productId)
  if (unchanged.name !== edits.name) throw new Error(`updateProduct was refused, yet the product is ${unchanged.name}`)

  // 4. Someone else's stock level in Salesforce is overwritten with flowcart's: written back into the record, and
  // published as a stock event for every org (and the org's Flowcart_Stock_Update flow).
  const stockEvents = async () =>
    (await call<StockEvent[]>(`${sf}/__emulator/events`)).filter((event) => event.fields.SKU__c === product.sku)
  const eventsBefore = (await stockEvents()).length
  console.log(`4. In Salesforce, Qty_In_Stock__c of Product2 ${product.product2Id} set to ${edits.stock}:`)
  console.log(`   ${curlToEmulator(edits.editStock)}`)
  // Answered 204 once the record holds the edit; flowcart may put it back before anyone could read it.
  await send(edits.editStock)
  const putBack = await within(STEP_MS, `Qty_In_Stock__c ${product.quantityInStock} written back`, async (saw) => {
    const now = await record(product.product2Id)
    const published = (await stockEvents()).slice(eventsBefore)
    saw({ record: now, published })
    const event = published.find((e) => e.fields.Qty_In_Stock__c === product.quantityInStock)
    return now?.Qty_In_Stock__c === product.quantityInStock && event ? event : undefined
  })
  const level = (await productNow(product.productId)).quantityInStock
  if (level !== product.quantityInStock) throw new Error(`flowcart's stock became ${level}`)
  console.log(
    `   put back to ${product.quantityInStock} (flowcart's level, still ${level} there) after ${putBack.afterMs} ms, and ${putBack.value.type} published with Qty_In_Stock__c ${putBack.value.fields.Qty_In_Stock__c}`,
  )
}
