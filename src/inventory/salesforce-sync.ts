// getInventory's salesforceSync: what became of each product's Product2 record, in words for the Flow's users.
import { PRODUCT_OBJECT } from '../salesforce/names.js'
import type { Refusal } from '../salesforce/record-result.js'
import type { SyncOutcome } from '../salesforce/stock-sync.js'
import type { Inventory, SalesforceSync } from './schemas.js'

export type SyncedInventory = Inventory & { salesforceSync: SalesforceSync }

export const syncDisabled = (items: Inventory[]): SyncedInventory[] =>
  items.map((item) => ({
    ...item,
    salesforceSync: { status: 'disabled', message: 'Salesforce is not configured on this flowcart service.' },
  }))

export const withSalesforceSync = (synced: Array<{ item: Inventory; outcome: SyncOutcome }>): SyncedInventory[] =>
  synced.map(({ item, outcome }) => ({ ...item, salesforceSync: salesforceSyncOf(item, outcome) }))

function salesforceSyncOf(item: Inventory, outcome: SyncOutcome): SalesforceSync {
  switch (outcome.status) {
    case 'updated':
      return { status: 'updated', recordId: outcome.recordId }
    case 'notFound':
      return { status: 'notFound', message: `No ${PRODUCT_OBJECT} has ${outcome.matchField} = '${item.sku}'.` }
    case 'failed':
      return { status: 'failed', recordId: outcome.recordId, message: failureMessage(outcome.refusal) }
  }
}

/** Why a record was not updated, in flowcart's words: Salesforce's status codes, and a validation rule's message. */
function failureMessage({ codes, validationMessages, otherWordsLogged }: Refusal): string {
  if (codes.length === 0) return `Salesforce did not update this ${PRODUCT_OBJECT} and did not say why.`
  return (
    `Salesforce did not update this ${PRODUCT_OBJECT} (${codes.join(', ')})` +
    (validationMessages.length > 0 ? `: ${validationMessages.join(' ')}` : '') +
    (otherWordsLogged ? "; Salesforce's words are in flowcart's log." : '')
  )
}
