// sObject Collections' answer for each record: read from the wire, and told in one line for the log.
import { scrub } from './errors.js'

export interface RecordError {
  statusCode: string
  message: string
}

export interface RecordResult {
  success: boolean
  id?: string
  errors: RecordError[]
}

export interface WireSaveResult {
  id?: string
  success?: boolean
  errors?: Array<{ statusCode?: string; errorCode?: string; message?: string }>
}

// Per-record errors use `statusCode` on the wire (jsforce's types say `errorCode`); a published platform event is
// `success: true` with an OPERATION_ENQUEUED "error", which is not an error.
export function toRecordResult(raw: WireSaveResult): RecordResult {
  const errors = (raw.errors ?? [])
    .map((e) => ({ statusCode: e.statusCode ?? e.errorCode ?? 'UNKNOWN_ERROR', message: e.message ?? '' }))
    .filter((e) => !(raw.success === true && e.statusCode === 'OPERATION_ENQUEUED'))
  return { success: raw.success === true, ...(raw.id ? { id: raw.id } : {}), errors }
}

/** Salesforce's own words for one refused record, "CODE: message; CODE: message" ('' when it gave none). */
export const recordErrorsText = (result: RecordResult): string =>
  result.errors.map((e) => `${e.statusCode}: ${scrub(e.message)}`).join('; ')
