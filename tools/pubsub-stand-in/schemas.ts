// The two topics and their Avro schemas, shaped after Change Data Capture's (see README: which parts are documented).
import { createHash } from 'node:crypto'

// ChangeEventHeader's fields and types as a real AccountChangeEvent payload decodes (pozil/pub-sub-api-node-client
// issue #27); the change types as the CDC Developer Guide lists them ("ChangeEventHeader Fields", "Gap Events").
const CHANGE_TYPES = [
  'CREATE',
  'UPDATE',
  'DELETE',
  'UNDELETE',
  'GAP_CREATE',
  'GAP_UPDATE',
  'GAP_DELETE',
  'GAP_UNDELETE',
  'GAP_OVERFLOW',
  'SNAPSHOT',
] as const

export type ChangeType = (typeof CHANGE_TYPES)[number]

const stringArray = { type: 'array', items: 'string' }

const changeEventHeader = {
  type: 'record',
  name: 'ChangeEventHeader',
  namespace: 'com.sforce.eventbus',
  fields: [
    { name: 'entityName', type: 'string' },
    { name: 'recordIds', type: stringArray },
    { name: 'changeType', type: { type: 'enum', name: 'ChangeType', symbols: CHANGE_TYPES } },
    { name: 'changeOrigin', type: 'string' },
    { name: 'transactionKey', type: 'string' },
    { name: 'sequenceNumber', type: 'int' },
    { name: 'commitTimestamp', type: 'long' },
    { name: 'commitNumber', type: 'long' },
    { name: 'commitUser', type: 'string' },
    { name: 'nulledFields', type: stringArray },
    { name: 'diffFields', type: stringArray },
    { name: 'changedFields', type: stringArray },
  ],
}

type AvroPrimitive = 'string' | 'boolean' | 'double' | 'long'

// "All the record fields, including the unchanged fields. Unchanged fields are null" (CDC Developer Guide,
// cdc_event_diff_pubsub_cometd.htm): every record field is an optional union. "Date fields are in Epoch time": long.
const optional = (name: string, type: AvroPrimitive) => ({ name, type: ['null', type], default: null })

const auditFields = [
  optional('CreatedDate', 'long'),
  optional('CreatedById', 'string'),
  optional('LastModifiedDate', 'long'),
  optional('LastModifiedById', 'string'),
]

export interface Topic {
  name: string
  entityName: string
  /** The record Ids' key prefix, for overflow and gap events made by hand. */
  keyPrefix: string
  schemaJson: string
  schemaId: string
}

function topic(entityName: string, keyPrefix: string, fields: object[]): Topic {
  const schema = {
    type: 'record',
    name: `${entityName}ChangeEvent`,
    namespace: 'com.sforce.eventbus',
    fields: [{ name: 'ChangeEventHeader', type: changeEventHeader }, ...fields],
  }
  const schemaJson = JSON.stringify(schema)
  // "schema fingerprint … hash of the schema" (pubsub_api.proto, SchemaInfo): a new field makes a new id.
  const schemaId = createHash('sha256').update(schemaJson).digest('base64url').slice(0, 22)
  return { name: `/data/${entityName}ChangeEvent`, entityName, keyPrefix, schemaJson, schemaId }
}

export const TOPICS: readonly Topic[] = [
  topic('Product2', '01t', [
    optional('Name', 'string'),
    optional('ProductCode', 'string'),
    optional('Description', 'string'),
    optional('IsActive', 'boolean'),
    ...auditFields,
    optional('StockKeepingUnit', 'string'),
    optional('Qty_In_Stock__c', 'double'),
  ]),
  topic('PricebookEntry', '01u', [
    optional('Pricebook2Id', 'string'),
    optional('Product2Id', 'string'),
    optional('UnitPrice', 'double'),
    optional('IsActive', 'boolean'),
    ...auditFields,
  ]),
]

export function findTopic(name: string): Topic | undefined {
  return TOPICS.find((t) => t.name === name)
}

export function topicOfEntity(entityName: string): Topic | undefined {
  return TOPICS.find((t) => t.entityName === entityName)
}

export function topicOfSchema(schemaId: string): Topic | undefined {
  return TOPICS.find((t) => t.schemaId === schemaId)
}

/** Every field's name in schema order, ChangeEventHeader first: a bitmap's bit i is the field at position i. */
export function fieldNames(topic: Topic): string[] {
  const schema = JSON.parse(topic.schemaJson) as { fields: { name: string }[] }
  return schema.fields.map((f) => f.name)
}
