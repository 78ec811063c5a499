// The emulator's record changes (and hand-made gap and overflow events) as Avro change-event payloads.
import { randomUUID } from 'node:crypto'
import type { RecordChange } from '../salesforce-emulator/types.js'
import { avroType } from './avro.js'
import { toBitmap } from './bitmap.js'
import { type ChangeType, fieldNames, type Topic } from './schemas.js'

export interface ChangeHeader {
  entityName: string
  recordIds: string[]
  changeType: ChangeType
  changeOrigin: string
  transactionKey: string
  sequenceNumber: number
  commitTimestamp: number
  commitUser: string
  changedFields: string[]
  nulledFields: string[]
}

let commits = 0n

// "system change number … not guaranteed to be unique" (CDC-HDR); real ones pass 2^53, so these do too.
function nextCommitNumber(commitTimestamp: number): bigint {
  commits += 1n
  return BigInt(commitTimestamp) * 1_000_000n + commits
}

function fieldTypes(topic: Topic): Map<string, string> {
  const schema = JSON.parse(topic.schemaJson) as { fields: { name: string; type: unknown }[] }
  return new Map(
    schema.fields.filter((f) => Array.isArray(f.type)).map((f) => [f.name, (f.type as string[])[1] as string]),
  )
}

/**
 * The record fields a change event carries: every field for CREATE and UNDELETE, only the changed ones for UPDATE
 * ("Unchanged fields are null even if they have a value", CDC Developer Guide, cdc_event_diff_pubsub_cometd.htm),
 * none for DELETE and gap events. LastModifiedDate is the commit time, since the emulator keeps no dates.
 */
function recordValues(topic: Topic, change: RecordChange): Record<string, unknown> {
  const { changeType, record, commitTimestamp, commitUser } = change
  const full = changeType === 'CREATE' || changeType === 'UNDELETE'
  if (!full && changeType !== 'UPDATE') return {}
  const audit: Record<string, unknown> = { LastModifiedDate: commitTimestamp, LastModifiedById: commitUser }
  if (changeType === 'CREATE') Object.assign(audit, { CreatedDate: commitTimestamp, CreatedById: commitUser })
  const values: Record<string, unknown> = { ...audit }
  for (const name of fieldTypes(topic).keys()) {
    if (name in audit) continue
    if (full || change.changedFields.includes(name)) values[name] = record[name] ?? null
  }
  return values
}

/** `header.changedFields` and `nulledFields` are field names here; the payload carries them as bitmaps. */
export function encodeChange(topic: Topic, header: ChangeHeader, values: Record<string, unknown>): Buffer {
  const names = fieldNames(topic)
  const types = fieldTypes(topic)
  const payload: Record<string, unknown> = {
    ChangeEventHeader: {
      ...header,
      commitNumber: nextCommitNumber(header.commitTimestamp),
      changedFields: toBitmap(names, header.changedFields),
      nulledFields: toBitmap(names, header.nulledFields),
      diffFields: [],
    },
  }
  for (const [name, type] of types) {
    const value = values[name]
    // Unions are written wrapped ({ "long": 1 }), longs as BigInts (avro.ts).
    payload[name] = value == null ? null : { [type]: type === 'long' ? BigInt(value as number) : value }
  }
  return avroType(topic.schemaJson).toBuffer(payload)
}

export function changeEvent(topic: Topic, change: RecordChange): { header: ChangeHeader; payload: Buffer } {
  const header: ChangeHeader = {
    entityName: change.entityName,
    recordIds: [change.recordId],
    changeType: change.changeType,
    changeOrigin: change.changeOrigin,
    transactionKey: change.transactionKey,
    sequenceNumber: change.sequenceNumber,
    commitTimestamp: change.commitTimestamp,
    commitUser: change.commitUser,
    // "including the LastModifiedDate system field" (CDC-HDR, changedFields).
    changedFields: change.changeType === 'UPDATE' ? [...change.changedFields, 'LastModifiedDate'] : [],
    nulledFields: change.nulledFields,
  }
  return { header, payload: encodeChange(topic, header, recordValues(topic, change)) }
}

/**
 * A gap event names the records and the kind of change, with no fields, and "The sequenceNumber field is always set
 * to 1"; an overflow event (GAP_OVERFLOW) names the object only: no "record fields or record ID" (CDC Developer Guide,
 * cdc_other_events_gap.htm, cdc_other_events_overflow.htm).
 */
export function gapEvent(topic: Topic, changeType: ChangeType, recordIds: string[], commitUser: string): Buffer {
  const header: ChangeHeader = {
    entityName: topic.entityName,
    recordIds: changeType === 'GAP_OVERFLOW' ? [] : recordIds,
    changeType,
    changeOrigin: '',
    transactionKey: randomUUID(),
    sequenceNumber: 1,
    commitTimestamp: Date.now(),
    commitUser,
    changedFields: [],
    nulledFields: [],
  }
  return encodeChange(topic, header, {})
}
