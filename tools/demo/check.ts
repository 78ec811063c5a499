// npm run demo -- --check: the seed's story run once, every step checked against what flowcart and the emulator
// hold, and told as it happens. Throws on the first step that does not hold.
import { randomUUID } from 'node:crypto'
import { flowCall, orderPlaced, type StoryProduct, whatTheFlowsDo } from './story.js'

export interface DemoSetting {
  appLink: boolean
  /** flowcart's base URL as Salesforce reaches it (the mesh's in AppLink mode). */
  fc: string
  /** The emulator's login URL, where its /__emulator controls are. */
  sf: string
  health: string
  callerHeaders: Record<string, string>
  /** The product the story orders, and its stock on a fresh start. */
  tent: { productId: number; sku: string; stock: number }
}

interface Inventory {
  quantityInStock: number
  salesforceSync?: { status: string; recordId?: string }
}
interface Health {
  status: string
  salesforce: { pendingEvents: number; lastError?: string }
}
interface Product {
  id: number
  sku: string
  name: string
}
interface PlacedOrder {
  id: number
  totalPrice: number
  currencyCode: string
  items: Array<{ name: string; sku: string; quantity: number; unitPrice: number }>
  placedBy?: { userId: string }
}

export async function check({ appLink, fc, sf, health: healthPath, callerHeaders: auth, tent }: DemoSetting) {
  const call = async <T = unknown>(url: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(url, init)
    const body = await response.json()
    if (!response.ok)
      throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${JSON.stringify(body)}`)
    return body as T
  }
  const placeOrder = (quantity: number, idempotencyKey = randomUUID()) => {
    const body = { items: [{ productId: tent.productId, quantity }] }
    const headers: Record<string, string> = { ...auth, 'content-type': 'application/json' }
    // As Flowcart_Place_Order sends it: its interview GUID as the key (AppLink mode: as a Flow there sends it).
    if (!appLink) headers['idempotency-key'] = idempotencyKey
    return { body, order: call<PlacedOrder>(`${fc}/orders`, { method: 'POST', headers, body: JSON.stringify(body) }) }
  }
  const setDown = (down: boolean) =>
    call(`${sf}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ down }),
    })
  const eventWith = async (quantity: number, withinMs: number) => {
    const started = Date.now()
    while (Date.now() - started < withinMs) {
      const events = await call<Array<{ type: string; fields: Record<string, unknown>; createdById: string }>>(
        `${sf}/__emulator/events`,
      )
      const event = events.find(
        (e) => e.fields.Product_Id__c === tent.productId && e.fields.Qty_In_Stock__c === quantity,
      )
      if (event) return { event, afterMs: Date.now() - started }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`no event with Qty_In_Stock__c ${quantity} for product ${tent.productId} within ${withinMs} ms`)
  }

  // The Product2 records carry the catalog's names, so the story can name the product on both sides.
  const products = await call<Product[]>(`${fc}/products?pageSize=200`, { headers: auth })
  const records = async () => call<Array<Record<string, unknown>>>(`${sf}/__emulator/records`)
  const named = await records()
  for (const product of products) {
    const record = named.find((r) => r.ProductCode === product.sku)
    if (record?.Name !== product.name) {
      throw new Error(`Product2 ${product.sku} is named ${JSON.stringify(record?.Name)}, not "${product.name}"`)
    }
  }
  const tentProduct = products.find((product) => product.id === tent.productId)
  if (!tentProduct) throw new Error(`flowcart has no product ${tent.productId}`)
  const storyProduct: StoryProduct = { productId: tent.productId, sku: tent.sku, name: tentProduct.name }
  console.log(
    `0. ${named.length} Product2 records in the emulator, named as in flowcart's catalog ("${tentProduct.name}", …)`,
  )

  const interviewGuid = randomUUID()
  const first = placeOrder(2, interviewGuid)
  for (const line of flowCall(appLink, first.body, interviewGuid)) console.log(line)
  const order = await first.order
  const placedBy = order.placedBy
  console.log(`1. order ${order.id} placed: 2 × ${tent.sku}${placedBy ? `, placedBy user ${placedBy.userId}` : ''}`)
  for (const line of orderPlaced(appLink, order)) console.log(line)
  const arrived = await eventWith(tent.stock - 2, 1000)
  console.log(
    `2. ${arrived.event.type} arrived after ${arrived.afterMs} ms: SKU__c ${arrived.event.fields.SKU__c}, Qty_In_Stock__c ${arrived.event.fields.Qty_In_Stock__c}${appLink ? `, CreatedById ${arrived.event.createdById}` : ''}`,
  )
  const story = { type: arrived.event.type, product: storyProduct, quantityInStock: tent.stock - 2 }
  for (const line of whatTheFlowsDo(appLink, story)) console.log(line)
  const [item] = await call<Inventory[]>(`${fc}/inventory?productId=${tent.productId}`, { headers: auth })
  if (item?.salesforceSync?.status !== 'updated') throw new Error(`getInventory answered ${JSON.stringify(item)}`)
  console.log(
    `3. getInventory: quantityInStock ${item.quantityInStock}, salesforceSync.status ${item.salesforceSync.status} (${item.salesforceSync.recordId})`,
  )
  const record = (await records()).find((r) => r.ProductCode === tent.sku)
  if (record?.Qty_In_Stock__c !== tent.stock - 2) throw new Error(`Product2 ${tent.sku} is ${JSON.stringify(record)}`)
  // AppLink mode: written as the user who ran the Flow, the one who placed the order.
  if (placedBy && record.LastModifiedById !== placedBy.userId) {
    throw new Error(`Product2 ${tent.sku} was written by ${record.LastModifiedById}, not by ${placedBy.userId}`)
  }
  console.log(
    `4. Product2 ${record.Id} (${tent.sku}, "${record.Name}"): Qty_In_Stock__c ${record.Qty_In_Stock__c}${appLink ? `, LastModifiedById ${record.LastModifiedById}` : ''}`,
  )
  const health = await call<Health>(`${fc}${healthPath}`)
  console.log(`5. healthz: status ${health.status}, salesforce.pendingEvents ${health.salesforce.pendingEvents}`)

  await setDown(true)
  await placeOrder(1).order
  // Long enough for the publisher to have tried and failed at least once.
  await new Promise((resolve) => setTimeout(resolve, 700))
  const waiting = await call<Health>(`${fc}${healthPath}`)
  if (waiting.salesforce.pendingEvents !== 1) throw new Error(`healthz while down: ${JSON.stringify(waiting)}`)
  console.log(
    `6. Salesforce down: order placed, pendingEvents ${waiting.salesforce.pendingEvents}, lastError "${waiting.salesforce.lastError}"`,
  )
  await setDown(false)
  const recovered = await eventWith(tent.stock - 3, 10_000)
  console.log(
    `   Salesforce back: the waiting event arrived after ${recovered.afterMs} ms with Qty_In_Stock__c ${recovered.event.fields.Qty_In_Stock__c}`,
  )
}
