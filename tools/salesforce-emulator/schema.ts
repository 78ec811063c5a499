// The sObjects the emulator knows: Product2 and the platform events, with field types as Salesforce describes them.
import { DEFAULT_STOCK_FIELD, INVENTORY_EVENT_FIELDS, PRODUCT_OBJECT } from '../../src/salesforce/names.js'

export type FieldType = 'id' | 'string' | 'boolean' | 'double'

export interface FieldSpec {
  name: string
  type: FieldType
  updatable: boolean
  nillable: boolean
}

export interface ObjectSpec {
  name: string
  kind: 'record' | 'event'
  fields: FieldSpec[]
}

const field = (name: string, type: FieldType, nillable = true): FieldSpec => ({
  name,
  type,
  updatable: type !== 'id',
  nillable,
})

export const productObject: ObjectSpec = {
  name: PRODUCT_OBJECT,
  kind: 'record',
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

export function eventObject(name: string): ObjectSpec {
  return {
    name,
    kind: 'event',
    fields: [
      // Salesforce stamps these itself; a publisher may not set them.
      { ...field('ReplayId', 'string'), updatable: false },
      { ...field('EventUuid', 'string'), updatable: false },
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
