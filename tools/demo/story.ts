// The demo's story of one order, as Salesforce would see it: the Flow's call, the order, the stock event, and what
// each flow shipped in salesforce/ does with that event. The flows are read from their folder, so the story names
// every flow there is, with its real API name and status, and fails when a flow it does not know appears.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const FLOWS_DIR = fileURLToPath(new URL('../../salesforce/force-app/main/default/flows/', import.meta.url))
const FLOW_SUFFIX = '.flow-meta.xml'

export interface StoryProduct {
  productId: number
  sku: string
  name: string
}

export interface StoryEvent {
  type: string
  product: StoryProduct
  quantityInStock: number
}

interface ShippedFlow {
  apiName: string
  /** Active or Draft, as the file says (<status>). */
  status: string
}

/** The flows in salesforce/force-app/main/default/flows, by API name (the file name). */
export function shippedFlows(): ShippedFlow[] {
  return readdirSync(FLOWS_DIR)
    .filter((file) => file.endsWith(FLOW_SUFFIX))
    .sort()
    .map((file) => {
      const xml = readFileSync(`${FLOWS_DIR}${file}`, 'utf8')
      const status = /<status>(\w+)<\/status>/.exec(xml)?.[1] ?? 'unknown'
      return { apiName: file.slice(0, -FLOW_SUFFIX.length), status }
    })
}

/**
 * The HTTP request the Flow's postOrder action sends, as flowcart receives it. Basic mode: Flowcart_Place_Order's
 * Post_Order element (action Flowcart.postOrder) through the named credential Flowcart, which adds Basic auth from
 * the principal FlowcartPrincipal, and the interview's GUID as Idempotency-Key. AppLink mode: an action of the
 * published FlowcartAppLink, through Heroku AppLink's service mesh, which adds x-client-context (README.md,
 * "Heroku AppLink mode").
 */
export function flowCall(appLink: boolean, body: unknown, idempotencyKey: string): string[] {
  const request = appLink
    ? [
        'POST /orders',
        'x-client-context: <the org, the user who ran the Flow and their session; set by the mesh>',
        'content-type: application/json',
      ]
    : [
        'POST /orders',
        'authorization: Basic <FlowcartPrincipal: API_USERNAME and API_PASSWORD>',
        'content-type: application/json',
        `idempotency-key: ${idempotencyKey}   (the interview's $Flow.InterviewGuid)`,
      ]
  const caller = appLink
    ? [
        'In Salesforce, a Flow built on the published app FlowcartAppLink runs its External Service action postOrder',
        "(AppLink mode; the shipped Flowcart_Place_Order calls basic mode's Flowcart.postOrder). Heroku AppLink sends:",
      ]
    : [
        'In Salesforce, a user runs the screen flow Flowcart_Place_Order: Get_Products (action Flowcart.getProducts)',
        'lists the products, the user picks one and a quantity, and Post_Order, the External Service action',
        'Flowcart.postOrder, sends this through the named credential Flowcart:',
      ]
  return [
    'The Flow calls flowcart',
    ...caller.map((line) => `   ${line}`),
    ...request.map((line) => `     ${line}`),
    `     ${JSON.stringify(body)}`,
  ]
}

/** What flowcart answered, in the words of the flow's Show_Order screen (basic mode). */
export function orderPlaced(
  appLink: boolean,
  order: {
    id: number
    totalPrice: number
    currencyCode: string
    items: Array<{ name: string; sku: string; quantity: number; unitPrice: number }>
  },
): string[] {
  const lines = order.items.map(
    (item) => `   ${item.quantity} × ${item.name} (${item.sku}) at ${item.unitPrice} ${order.currencyCode}`,
  )
  const screen = appLink
    ? []
    : [
        `   Flowcart_Place_Order's Show_Order screen: "Order ${order.id} is placed. Total: ${order.totalPrice} ${order.currencyCode}."`,
      ]
  return [...lines, ...screen]
}

/** Words of `text` in lines of at most WIDTH characters, the first after `first`, the others after `rest`. */
function wrap(text: string, first: string, rest: string): string[] {
  const lines: string[] = []
  let line = first
  for (const word of text.split(' ')) {
    if (line.length + word.length + 1 > WIDTH && line.trim() !== first.trim()) {
      lines.push(line)
      line = rest
    }
    line += line === first || line === rest ? word : ` ${word}`
  }
  return [...lines, line]
}
const WIDTH = 118

/** What each shipped flow does with the event, the event flows first. AppLink mode deploys Flowcart_Stock_Update only. */
export function whatTheFlowsDo(appLink: boolean, event: StoryEvent): string[] {
  const { product, quantityInStock } = event
  const record = `the Product2 whose ProductCode is ${product.sku} ("${product.name}")`
  // An event flow runs as the user who published the event (salesforce/README.md, step 7).
  const publisher = appLink ? "the AppLink authorization's user" : "flowcart's integration user"
  const told: Record<string, string> = {
    Flowcart_Stock_Update: `triggered by ${event.type}, runs as ${publisher}, no callout: sets Qty_In_Stock__c of ${record} to ${quantityInStock}.`,
    Flowcart_Inventory_Sync: appLink
      ? "not deployed in AppLink mode (it calls basic mode's Flowcart.getInventory)."
      : `triggered by ${event.type}, one callout: calls Flowcart.getInventory with productId ${product.productId}, and flowcart writes ${product.sku}'s stock into Product2 (step 3 below makes that call); on an error status the flow writes ${quantityInStock} itself. Shipped inactive: for batches well under 100 events.`,
    Flowcart_Place_Order: appLink
      ? "not deployed in AppLink mode (its actions are basic mode's)."
      : 'the screen flow that placed the order; the event does not start it.',
  }
  const order = Object.keys(told)
  const flows = shippedFlows().sort((a, b) => order.indexOf(a.apiName) - order.indexOf(b.apiName))
  return [
    `   What the flows in salesforce/ do with this ${event.type}:`,
    ...flows.flatMap((flow) => {
      const what = told[flow.apiName]
      if (!what) {
        throw new Error(`the demo does not know what the flow ${flow.apiName} does: tell it in tools/demo/story.ts`)
      }
      return wrap(`${flow.apiName} (${flow.status}): ${what}`, '   - ', '     ')
    }),
  ]
}
