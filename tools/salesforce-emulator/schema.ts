// The sObjects the emulator knows: Product2, the price book objects and the platform events, with field types and
// properties (Create, Update, Nillable) as Salesforce describes them.
import { DEFAULT_STOCK_FIELD, INVENTORY_EVENT_FIELDS, PRODUCT_OBJECT } from '../../src/salesforce/names.js'
import { KEY_PREFIX } from './ids.js'

export type FieldType = 'id' | 'string' | 'boolean' | 'double'

export interface FieldSpec {
  name: string
  type: FieldType
  /** May be set on insert ("Create" in the object reference). */
  createable: boolean
  /** May be changed on update ("Update" in the object reference). */
  updatable: boolean
  nillable: boolean
}

export interface ObjectSpec {
  name: string
  kind: 'record' | 'event'
  /** The first three characters of every record Id of the object (records only). */
  keyPrefix?: string
  /** Fields an insert must set ("Required" in the object reference). */
  required?: string[]
  fields: FieldSpec[]
}

export const PRICE_BOOK_OBJECT = 'Pricebook2'
export const PRICE_ENTRY_OBJECT = 'PricebookEntry'

const field = (name: string, type: FieldType, nillable = true): FieldSpec => ({
  name,
  type,
  createable: type !== 'id',
  updatable: type !== 'id',
  nillable,
})

/** Set by the platform, never by a client. */
const readOnly = (spec: FieldSpec): FieldSpec => ({ ...spec, createable: false, updatable: false })

/** A lookup given on insert that "can't be changed in an update". */
const parentReference = (name: string): FieldSpec => ({
  name,
  type: 'id',
  createable: true,
  updatable: false,
  nillable: false,
})

export const productObject: ObjectSpec = {
  name: PRODUCT_OBJECT,
  kind: 'record',
  keyPrefix: KEY_PREFIX.product,
  required: ['Name'],
  fields: [
    field('Id', 'id', false),
    field('Name', 'string', false),
    field('ProductCode', 'string'),
    field('Description', 'string'),
    field('StockKeepingUnit', 'string'),
    field('IsActive', 'boolean', false),
    field(DEFAULT_STOCK_FIELD, 'double'),
    // Set by the platform to the user whose session wrote the record; an id field, so no client can write it.
    field('LastModifiedById', 'id'),
  ],
}

// Pricebook2 (Object Reference for the Salesforce Platform, "Pricebook2",
// https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-pricebook2.html):
// IsStandard is "Defaulted on create, Filter, Group, Sort" (no Create, no Update), and "Every org has one standard
// price book—all other price books are custom price books." Queried only: the emulator has no custom price books.
export const priceBookObject: ObjectSpec = {
  name: PRICE_BOOK_OBJECT,
  kind: 'record',
  keyPrefix: KEY_PREFIX.priceBook,
  required: ['Name'],
  fields: [
    field('Id', 'id', false),
    field('Name', 'string', false),
    readOnly(field('IsStandard', 'boolean', false)),
    field('IsActive', 'boolean', false),
  ],
}

// PricebookEntry (Object Reference, "PricebookEntry",
// https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-pricebookentry.html):
// Pricebook2Id and Product2Id are "Required … It can't be changed in an update"; UnitPrice (List Price) is a required
// currency, a double on the wire; IsActive is "Create, Defaulted on create, … Update" with "Default value: false";
// Name and ProductCode are read-only and reference the product's Name and ProductCode (the emulator reads them from
// the product at query time, so they never go stale).
export const priceEntryObject: ObjectSpec = {
  name: PRICE_ENTRY_OBJECT,
  kind: 'record',
  keyPrefix: KEY_PREFIX.priceEntry,
  required: ['Pricebook2Id', 'Product2Id', 'UnitPrice'],
  fields: [
    field('Id', 'id', false),
    parentReference('Pricebook2Id'),
    parentReference('Product2Id'),
    field('UnitPrice', 'double', false),
    field('IsActive', 'boolean', false),
    readOnly(field('Name', 'string')),
    readOnly(field('ProductCode', 'string')),
    field('LastModifiedById', 'id'),
  ],
}

/** The objects a SOQL query may name in FROM. */
export const RECORD_OBJECTS: readonly ObjectSpec[] = [productObject, priceBookObject, priceEntryObject]

/** The objects the REST API writes: Product2 and PricebookEntry (price books themselves are not writable here). */
export const WRITABLE_OBJECTS: readonly ObjectSpec[] = [productObject, priceEntryObject]

// Object names, like field names, are case-insensitive.
export function recordObject(name: string, among: readonly ObjectSpec[] = RECORD_OBJECTS): ObjectSpec | undefined {
  const wanted = name.toLowerCase()
  return among.find((object) => object.name.toLowerCase() === wanted)
}

/** The object a record Id belongs to, by its key prefix. */
export function objectOfId(id: string): ObjectSpec | undefined {
  return RECORD_OBJECTS.find((object) => object.keyPrefix !== undefined && id.startsWith(object.keyPrefix))
}

export function eventObject(name: string): ObjectSpec {
  return {
    name,
    kind: 'event',
    fields: [
      // Salesforce stamps these itself; a publisher may not set them.
      readOnly(field('ReplayId', 'string')),
      readOnly(field('EventUuid', 'string')),
      field(INVENTORY_EVENT_FIELDS.productId, 'double'),
      field(INVENTORY_EVENT_FIELDS.sku, 'string'),
      field(INVENTORY_EVENT_FIELDS.quantityInStock, 'double'),
    ],
  }
}

// Salesforce API names are case-insensitive everywhere: in SOQL, in JSON bodies and in URLs.
export function findField(object: ObjectSpec, name: string): FieldSpec | undefined {
  const wanted = name.toLowerCase()
  return object.fields.find((f) => f.name.toLowerCase() === wanted)
}

function jsonToken(value: unknown): string {
  if (typeof value === 'string') return 'VALUE_STRING'
  if (typeof value === 'number') return Number.isInteger(value) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT'
  if (typeof value === 'boolean') return value ? 'VALUE_TRUE' : 'VALUE_FALSE'
  return Array.isArray(value) ? 'START_ARRAY' : 'START_OBJECT'
}

/** Salesforce rejects a mistyped JSON value while deserialising the whole body, before any record is looked at. */
export function typeMismatch(spec: FieldSpec, value: unknown): string | undefined {
  if (value === null) return undefined
  const ok =
    (spec.type === 'double' && typeof value === 'number' && Number.isFinite(value)) ||
    (spec.type === 'boolean' && typeof value === 'boolean') ||
    ((spec.type === 'string' || spec.type === 'id') && typeof value === 'string')
  if (ok) return undefined
  const shown = typeof value === 'object' ? '' : ` value ${String(value)}`
  return `Cannot deserialize instance of ${spec.type} from ${jsonToken(value)}${shown} or request may be missing a required field`
}
