// sObject Collections' answer for each record: read from the wire, told in one line for the log, and what of a refusal
// the user who asked for the change may be shown.
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

/** What of a refused record may be shown to the user who asked for the change; the rest of it goes to the log. */
export interface Refusal {
  /** Salesforce's status codes, each once (UNKNOWN_ERROR for one outside its vocabulary); none when it said nothing. */
  codes: string[]
  /** The messages of the org's validation rules that refused the record, scrubbed. */
  validationMessages: string[]
  /** Salesforce also said something in its own words, which only the log has. */
  otherWordsLogged: boolean
}

// A validation rule's message is the org admin's own sentence, written for the users who save the record: Salesforce
// says a client application "can display [it] to the user" (ValidationRule, Metadata API Developer Guide,
// https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_validationformulas.htm), and it is
// what a Flow builder needs to see. Salesforce's other per-record messages are its own words, which can name other
// records and users: they go to the log.
const VALIDATION_RULE = 'FIELD_CUSTOM_VALIDATION_EXCEPTION'
/** Salesforce's per-record status codes are a fixed vocabulary (UNABLE_TO_LOCK_ROW…): they may be passed on. */
const STATUS_CODE = /^[A-Z][A-Z0-9_]{0,63}$/

export function refusalOf(result: RecordResult): Refusal {
  return {
    codes: [...new Set(result.errors.map((e) => (STATUS_CODE.test(e.statusCode) ? e.statusCode : 'UNKNOWN_ERROR')))],
    validationMessages: result.errors
      .filter((e) => e.statusCode === VALIDATION_RULE && e.message)
      .map((e) => scrub(e.message)),
    otherWordsLogged: result.errors.some((e) => e.statusCode !== VALIDATION_RULE),
  }
}
