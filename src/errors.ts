// Errors that reach a client: each carries the HTTP status and the stable `code` of the ErrorResponse contract.
export class AppError extends Error {
  readonly statusCode: number
  readonly code: string
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>

  constructor(
    statusCode: number,
    code: string,
    message: string,
    headers: Record<string, string> = {},
    cause?: unknown,
  ) {
    super(message, { cause })
    this.name = 'AppError'
    this.statusCode = statusCode
    this.code = code
    this.headers = headers
  }
}

export const notFound = (message: string) => new AppError(404, 'NOT_FOUND', message)

/** Seconds a client is asked to wait before retrying when no database connection could be had. */
const DATABASE_RETRY_AFTER_S = 2

export const databaseUnavailable = (cause: Error) =>
  new AppError(
    503,
    'SERVICE_UNAVAILABLE',
    'The database is busy or unreachable; retry shortly.',
    { 'Retry-After': String(DATABASE_RETRY_AFTER_S) },
    cause,
  )
