// An answer decided by the HTTP layer itself (credentials, throttling, media types), and the ErrorResponse body.
import { STATUS_CODES } from 'node:http'

export class HttpError extends Error {
  override name = 'HttpError'

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. `Retry-After`. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
  }
}

/** The ErrorResponse of the contract (src/http/schemas.ts). */
export function errorBody(statusCode: number, code: string, message: string) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, code }
}
