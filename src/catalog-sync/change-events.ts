// A decoded change event as the catalog reads it: its header, and the record fields it carries by name. On UPDATE
// only the changed fields are set ("Unchanged fields are null even if they have a value in the Salesforce record": CDC
// Developer Guide, cdc_event_diff_pubsub_cometd.htm), so what changed is read from the changedFields bitmap, and a
// field set to null from nulledFields.
import { fieldsOfBitmap } from '../pubsub/changed-fields.js'
import type { DecodedEvent } from '../pubsub/topic-subscription.js'

export type ChangeType =
  | 'CREATE'
  | 'UPDATE'
  | 'DELETE'
  | 'UNDELETE'
  | 'GAP_CREATE'
  | 'GAP_UPDATE'
  | 'GAP_DELETE'
  | 'GAP_UNDELETE'
  | 'GAP_OVERFLOW'

export interface RecordChange {
  eventId: string
  entityName: string
  changeType: ChangeType
  recordIds: string[]
  /** `com/salesforce/api/<api>/<version>;client=<id>` for API writes; empty otherwise (CDC-HDR). */
  changeOrigin: string
  commitUser: string
  /** Epoch ms of the commit in Salesforce. */
  commitTimestamp: number
  /** Field names the change set (UPDATE: changed ones; CREATE and UNDELETE: all non-null ones). */
  changedFields: string[]
  /** The record fields by name, as the event carries them (null when not carried or set to null). */
  values: Record<string, unknown>
}

interface Header {
  entityName: string
  recordIds: string[]
  changeType: ChangeType
  changeOrigin: string
  commitTimestamp: bigint | number
  commitUser: string
  changedFields: string[]
  nulledFields: string[]
}

export function recordChangeOf(event: DecodedEvent): RecordChange {
  const { ChangeEventHeader: header, ...values } = event.fields as { ChangeEventHeader: Header } & Record<
    string,
    unknown
  >
  const names = event.schema.fieldNames
  const changedFields =
    header.changeType === 'UPDATE'
      ? [...new Set([...fieldsOfBitmap(header.changedFields, names), ...fieldsOfBitmap(header.nulledFields, names)])]
      : Object.keys(values).filter((name) => values[name] !== null)
  return {
    eventId: event.id,
    entityName: header.entityName,
    changeType: header.changeType,
    recordIds: header.recordIds,
    changeOrigin: header.changeOrigin ?? '',
    commitUser: header.commitUser ?? '',
    commitTimestamp: Number(header.commitTimestamp),
    changedFields,
    values,
  }
}

export const isGap = (change: RecordChange) => change.changeType.startsWith('GAP_')

/**
 * A change that names every record of its object rather than some: an overflow event, or a wildcard record Id such as
 * `01t*` ("can be a wildcard … for some field-type conversions": CDC Developer Guide, ChangeEventHeader Fields).
 */
export const namesWholeObject = (change: RecordChange) =>
  change.changeType === 'GAP_OVERFLOW' || change.recordIds.some((id) => id.endsWith('*'))

// "client=<Client_ID>", the Id the Call Options header named (CDC Developer Guide, ChangeEventHeader Fields).
export function madeBy(change: RecordChange, clientId: string): boolean {
  return change.changeOrigin.split(';').some((part) => part.trim() === `client=${clientId}`)
}
