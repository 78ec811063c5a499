// Typed errors for everything that can go wrong talking to Salesforce, and the mapping from jsforce/fetch errors.
// Each carries a stable `code`; src/http/error-handler.ts decides how a request that met one is answered.

export type SalesforceErrorCode =
  | 'SALESFORCE_AUTH'
  | 'SALESFORCE_UNAVAILABLE'
  | 'SALESFORCE_LIMIT_EXCEEDED'
  | 'SALESFORCE_ERROR'

export abstract class SalesforceError extends Error {
  abstract readonly code: SalesforceErrorCode

  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** The token request was refused (or a fresh token was rejected): a configuration problem, not an outage. */
export class SalesforceAuthError extends SalesforceError {
  readonly code = 'SALESFORCE_AUTH'
  readonly error: string
  readonly errorDescription: string

  constructor(error: string, errorDescription: string, message?: string) {
    const detail = `${scrub(error)} (${scrub(errorDescription)})`
    super(message ?? `Salesforce refused the integration user's token request: ${detail}`)
    this.error = scrub(error)
    this.errorDescription = scrub(errorDescription)
  }
}

/**
 * Salesforce refused a session again, and it cannot be renewed (the fresh token was refused too, or the session is
 * the invoking user's, which only AppLink hands over); `message` says whose, for the log.
 */
export function sessionRefused(message: string): SalesforceAuthError {
  return new SalesforceAuthError('INVALID_SESSION_ID', 'Session expired or invalid', message)
}

/** Salesforce could not be reached, answered 5xx, or did not answer in time. */
export class SalesforceUnavailableError extends SalesforceError {
  readonly code = 'SALESFORCE_UNAVAILABLE'

  constructor(message: string) {
    super(scrub(message))
  }
}

/** The org's API request limit is used up; the caller should come back later. */
export class SalesforceLimitError extends SalesforceError {
  readonly code = 'SALESFORCE_LIMIT_EXCEEDED'

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(scrub(message))
  }
}

/** Salesforce understood the request and refused it (bad field, bad SOQL, …). */
export class SalesforceRequestError extends SalesforceError {
  readonly code = 'SALESFORCE_ERROR'
  readonly errorCode: string
  readonly httpStatus: number | undefined

  constructor(errorCode: string, message: string, httpStatus?: number) {
    super(`Salesforce rejected the request: ${scrub(errorCode)}: ${scrub(message)}`)
    this.errorCode = scrub(errorCode)
    this.httpStatus = httpStatus
  }
}

// The daily limit is a rolling 24 h window with no reset time on the wire; the concurrent long-running-request
// limit ("ConcurrentPerOrgLongTxn Limit exceeded") clears within seconds.
const DAILY_LIMIT_RETRY_AFTER_S = 3600
const CONCURRENCY_LIMIT_RETRY_AFTER_S = 30

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
])

/**
 * Maps a jsforce, fetch or Salesforce error to a SalesforceError. `httpStatus` is the last HTTP status seen, when the
 * caller knows it (jsforce's errors do not carry it).
 */
export function toSalesforceError(err: unknown, httpStatus?: number): SalesforceError {
  if (err instanceof SalesforceError) return err
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>
  const name = typeof e.name === 'string' ? e.name : ''
  const message = typeof e.message === 'string' ? e.message : String(err)
  const errorCode = typeof e.errorCode === 'string' ? e.errorCode : undefined
  const cause = (typeof e.cause === 'object' && e.cause !== null ? e.cause : {}) as Record<string, unknown>
  const netCode = [e.code, cause.code].find((c): c is string => typeof c === 'string' && NETWORK_CODES.has(c))

  if (name === 'AbortError' || name === 'TimeoutError' || message === 'Request Timeout') {
    return new SalesforceUnavailableError('Salesforce did not answer in time')
  }
  if (netCode || name === 'FetchError' || (name === 'TypeError' && message === 'fetch failed')) {
    return new SalesforceUnavailableError(`Salesforce could not be reached (${netCode ?? 'network error'})`)
  }
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED') {
    const retryAfter = /concurrent/i.test(message) ? CONCURRENCY_LIMIT_RETRY_AFTER_S : DAILY_LIMIT_RETRY_AFTER_S
    return new SalesforceLimitError(`Salesforce API request limit exceeded: ${message}`, retryAfter)
  }
  if (errorCode === 'INVALID_SESSION_ID' || httpStatus === 401) {
    return new SalesforceAuthError(
      errorCode ?? 'INVALID_SESSION_ID',
      message,
      `Salesforce rejected the integration user's session: ${message}`,
    )
  }
  const status = httpStatus ?? Number(/^ERROR_HTTP_(\d{3})$/.exec(errorCode ?? '')?.[1] ?? Number.NaN)
  if (status >= 500 || errorCode === 'SERVER_UNAVAILABLE') {
    return new SalesforceUnavailableError(`Salesforce answered HTTP ${Number.isNaN(status) ? 503 : status}`)
  }
  return new SalesforceRequestError(errorCode ?? 'UNKNOWN_ERROR', message, httpStatus)
}

// Salesforce and jsforce messages can echo what we sent; make sure no bearer token, JWT or PEM survives into an
// error message that reaches a log or a client.
export function scrub(text: string): string {
  return text
    .replace(/-----BEGIN [^-]+-----[\s\S]*?(-----END [^-]+-----|$)/g, '[redacted key]')
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted jwt]')
    .replace(/\b00D\w{12,15}![\w.]+/g, '[redacted token]')
    .replace(/Bearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500)
}
