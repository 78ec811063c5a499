// Errors that reach a client: each carries the HTTP status and the stable `code` of the ErrorResponse contract.
export class AppError extends Error {
  readonly statusCode: number
  readonly code: string
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>

  constructor(statusCode: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.name = 'AppError'
    this.statusCode = statusCode
    this.code = code
    this.headers = headers
  }
}

export const notFound = (message: string) => new AppError(404, 'NOT_FOUND', message)
