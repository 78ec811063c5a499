// How long after each order's commit an org received the stock event that carries its change.
import type { ReceivedEvent } from '../salesforce-emulator/index.js'

/** The order's product, the stock it left and when its answer (sent after the commit) arrived. */
export interface Committed {
  productId: number
  quantityInStock: number
  at: number
}

/**
 * The 99th percentile, in ms, of how long after each commit the org received an event carrying that change: the
 * first event of the product whose quantity is the one the order left or a later one (stock only falls in the bench,
 * and events are coalesced).
 */
export function eventDelayP99(commits: Committed[], received: ReceivedEvent[]): number {
  const events = received.map((event) => ({
    productId: Number(event.fields.Product_Id__c),
    quantityInStock: Number(event.fields.Qty_In_Stock__c),
    at: Date.parse(event.receivedAt),
  }))
  const delays = commits.map((commit) => {
    const carrier = events.find(
      (event) => event.productId === commit.productId && event.quantityInStock <= commit.quantityInStock,
    )
    if (!carrier) throw new Error(`no event carried product ${commit.productId} at ${commit.quantityInStock}`)
    return Math.max(0, carrier.at - commit.at)
  })
  delays.sort((a, b) => a - b)
  return delays[Math.min(delays.length - 1, Math.floor(delays.length * 0.99))] as number
}
