// Price book entries: the rules an insert must pass, the standard price of a product, and the fields an entry reads
// from its product.
import { idKey, isWellFormedId, KEY_PREFIX } from './ids.js'
import type { OrgState, SObject } from './org-state.js'
import type { EmulatorPriceEntry } from './types.js'
import { type SaveError, saveError } from './wire.js'

/** One product in one price book: Salesforce keeps a single entry per pair (per currency, which is not emulated). */
export function priceDefinitionKey(pricebook2Id: string, product2Id: string): string {
  return `${idKey(pricebook2Id)}/${idKey(product2Id)}`
}

/** The product's live entry in the standard price book, if it has one. */
export function standardEntryOf(state: OrgState, product2Id: string): SObject | undefined {
  const wanted = priceDefinitionKey(state.standardPricebookId, product2Id)
  return [...state.priceEntries.values()].find(
    (entry) => priceDefinitionKey(entry.Pricebook2Id as string, entry.Product2Id as string) === wanted,
  )
}

/** The live entries of a product, in every price book. */
export function entriesOfProduct(state: OrgState, product2Id: string): SObject[] {
  return [...state.priceEntries.values()].filter((entry) => idKey(entry.Product2Id as string) === idKey(product2Id))
}

/**
 * An entry as a query reads it: Name and ProductCode are read-only fields that reference "the value in the Name field
 * of the Product2 object" and "the value in the ProductCode field of the associated Product2 record" (Object Reference,
 * PricebookEntry), so they are looked up rather than stored.
 */
export function priceEntryView(state: OrgState, entry: SObject): SObject {
  const product = state.findRecord(entry.Product2Id as string)
  return { ...entry, Name: product?.Name ?? null, ProductCode: product?.ProductCode ?? null }
}

// A parent Id that is no Id at all is MALFORMED_ID, another object's Id FIELD_INTEGRITY_EXCEPTION (both observed on a
// Contact's AccountId in a real org: Salto, "Demystifying 'Invalid Cross Reference Id' errors in Salesforce", 2022).
// The message, "<field label>: id value of incorrect type: <value>", is the emulator's guess in the shape it already
// gives an update's record Id of another object; the labels are the field reference's.
const PARENTS = [
  { field: 'Pricebook2Id', label: 'Price Book ID', keyPrefix: KEY_PREFIX.priceBook },
  { field: 'Product2Id', label: 'Product ID', keyPrefix: KEY_PREFIX.product },
] as const

function parentProblem(state: OrgState, fields: SObject): SaveError | undefined {
  for (const { field, label, keyPrefix } of PARENTS) {
    const id = fields[field] as string
    const incorrectType = `${label}: id value of incorrect type: ${id}`
    if (!isWellFormedId(id)) return saveError('MALFORMED_ID', incorrectType, [field])
    if (!id.startsWith(keyPrefix)) return saveError('FIELD_INTEGRITY_EXCEPTION', incorrectType, [field])
    // A parent that never existed: INVALID_CROSS_REFERENCE_KEY, "invalid cross reference id", Salesforce's answer for
    // a lookup it cannot resolve. One in the recycle bin: ENTITY_IS_DELETED is a guess (the same sources also name
    // INVALID_CROSS_REFERENCE_KEY for deleted records). Neither was observed on a price book entry; needs a real org.
    if (state.isDeleted(id)) return saveError('ENTITY_IS_DELETED', 'entity is deleted', [field])
    if (!state.findRecord(id)) return saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field])
  }
  return undefined
}

/**
 * Why an entry with these (already read and typed) fields cannot be inserted, or undefined. `claimed` holds the
 * price definitions earlier records of the same request take, so that one request cannot create two of them.
 */
export function priceEntryProblem(
  state: OrgState,
  fields: SObject,
  claimed: ReadonlySet<string>,
): SaveError | undefined {
  const parent = parentProblem(state, fields)
  if (parent) return parent
  const key = priceDefinitionKey(fields.Pricebook2Id as string, fields.Product2Id as string)
  const taken = [...state.priceEntries.values()].some(
    (entry) => priceDefinitionKey(entry.Pricebook2Id as string, entry.Product2Id as string) === key,
  )
  // Seen from real orgs as "DUPLICATE_VALUE: This price definition already exists in this price book" (and, from Apex,
  // as FIELD_INTEGRITY_EXCEPTION with the same message); not in Salesforce's documentation.
  if (taken || claimed.has(key)) {
    return saveError('DUPLICATE_VALUE', 'This price definition already exists in this price book')
  }
  return undefined
}

export function toEmulatorPriceEntry(entry: SObject): EmulatorPriceEntry {
  return {
    Id: entry.Id as string,
    Pricebook2Id: entry.Pricebook2Id as string,
    Product2Id: entry.Product2Id as string,
    UnitPrice: entry.UnitPrice as number,
    IsActive: entry.IsActive as boolean,
    LastModifiedById: entry.LastModifiedById as string,
  }
}
