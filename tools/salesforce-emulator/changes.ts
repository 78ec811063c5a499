// Who writes and in which transaction, and what a write changed: the facts Change Data Capture reports of each record.
import { randomUUID } from 'node:crypto'
import type { SObject } from './org-state.js'
import type { RecordChange, RecordChangeType } from './types.js'

/** One request's writes: every record it saves shares the transaction key and takes the next sequence number. */
export interface Writer {
  userId: string
  changeOrigin: string
  transactionKey: string
  nextSequence(): number
}

// "Format: com/salesforce/api/<API_Name>/<API_Version>;client=<Client_ID>", the client Id being the one the Call
// Options header names (CDC Developer Guide, ChangeEventHeader Fields, cdc_event_fields_header.htm; REST API Call
// Options Header, headers_calloptions.htm). What Salesforce writes when a REST call sends no client is not documented.
const CLIENT_OPTION = /(?:^|,)\s*client\s*=\s*([^,\s]+)/i

export function restOrigin(version: string, callOptions: string | undefined): string {
  const base = `com/salesforce/api/rest/${version.replace(/^v/, '')}`
  const client = callOptions ? CLIENT_OPTION.exec(callOptions)?.[1] : undefined
  return client ? `${base};client=${client}` : base
}

export function newWriter(userId: string, changeOrigin: string): Writer {
  let sequence = 0
  return {
    userId,
    changeOrigin,
    transactionKey: randomUUID(),
    nextSequence: () => {
      sequence += 1
      return sequence
    },
  }
}

// Set by the platform on every write, so not reported as a change of the caller's.
const SYSTEM_FIELDS = new Set(['Id', 'LastModifiedById'])

/** The change a write made: `before` is undefined for CREATE, `after` the stored record (for DELETE, the last one). */
export function describeChange(
  entityName: string,
  changeType: RecordChangeType,
  before: SObject | undefined,
  after: SObject,
  writer: Writer,
): RecordChange {
  const names = Object.keys(after).filter((name) => !SYSTEM_FIELDS.has(name))
  const changedFields =
    changeType === 'UPDATE' && before ? names.filter((name) => !Object.is(before[name], after[name])) : []
  const nulledFields = changedFields.filter((name) => after[name] == null)
  return {
    entityName,
    changeType,
    recordId: after.Id as string,
    record: { ...after },
    changedFields,
    nulledFields,
    commitUser: writer.userId,
    changeOrigin: writer.changeOrigin,
    transactionKey: writer.transactionKey,
    sequenceNumber: writer.nextSequence(),
    commitTimestamp: Date.now(),
  }
}
