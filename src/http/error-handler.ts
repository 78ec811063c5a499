// One error handler: every failure is answered as the JSON ErrorResponse, and 5xx details stay in the log. The one
// place where the business's errors (src/errors.ts) and Salesforce's (src/salesforce/errors.ts) become answers.
import type { FastifyError, FastifyInstance } from 'fastify'
import {
  CatalogFromSalesforce,
  DatabaseUnavailable,
  type DomainError,
  IdempotencyConflict,
  InvalidInput,
  MixedCurrencies,
  NotFound,
  OutOfStock,
  ProductInactive,
  SkuTaken,
} from '../errors.js'
import {
  SalesforceAuthError,
  SalesforceError,
  type SalesforceErrorCode,
  SalesforceLimitError,
  SalesforceRequestError,
} from '../salesforce/errors.js'
import { errorBody, HttpError } from './http-error.js'

/** How long a client waits before retrying when no database connection could be had. */
const DATABASE_RETRY_AFTER_S = 2

/** The answer to each domain error; an unknown one is a bug (500). */
function answerTo(error: DomainError): HttpError | undefined {
  if (error instanceof NotFound) return new HttpError(404, 'NOT_FOUND', error.message)
  if (error instanceof OutOfStock) return new HttpError(409, 'OUT_OF_STOCK', error.message)
  if (error instanceof ProductInactive) return new HttpError(409, 'PRODUCT_INACTIVE', error.message)
  if (error instanceof SkuTaken) return new HttpError(409, 'SKU_TAKEN', error.message)
  if (error instanceof CatalogFromSalesforce) return new HttpError(409, 'CATALOG_FROM_SALESFORCE', error.message)
  if (error instanceof MixedCurrencies || error instanceof InvalidInput) {
    return new HttpError(400, 'VALIDATION', error.message)
  }
  if (error instanceof IdempotencyConflict) return new HttpError(422, 'IDEMPOTENCY_CONFLICT', error.message)
  if (error instanceof DatabaseUnavailable) {
    return new HttpError(503, 'SERVICE_UNAVAILABLE', error.message, { 'Retry-After': String(DATABASE_RETRY_AFTER_S) })
  }
  return undefined
}

/**
 * What a client is told when Salesforce fails a call: a stable code and flowcart's own words. Salesforce's text
 * (the error's message) goes to the log only: it is written by whoever answered, and can name the org's users,
 * records and apps.
 */
const SALESFORCE_FAILURES: Record<SalesforceErrorCode, string> = {
  SALESFORCE_AUTH: "Salesforce refused flowcart's sign-in or session",
  SALESFORCE_UNAVAILABLE: 'Salesforce could not be reached or did not answer in time',
  SALESFORCE_ERROR: 'Salesforce refused the request flowcart made',
  SALESFORCE_LIMIT_EXCEEDED: "The org's Salesforce API request limit is reached",
}
/** Salesforce's own error codes (invalid_grant, INVALID_FIELD…) are a fixed vocabulary, so they may be passed on. */
const STABLE_CODE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/

function salesforceCodeOf(error: SalesforceError): string | undefined {
  const code =
    error instanceof SalesforceAuthError
      ? error.error
      : error instanceof SalesforceRequestError
        ? error.errorCode
        : undefined
  return code !== undefined && STABLE_CODE.test(code) ? code : undefined
}

/** Salesforce's refusals and outages fail the call (502), so the Flow takes its fault path; its API limit is 503. */
function answerToSalesforce(error: SalesforceError, requestId: string): HttpError {
  const code = salesforceCodeOf(error)
  const retry = error instanceof SalesforceLimitError ? `; retry after ${error.retryAfterSeconds} seconds` : ''
  const message =
    `${SALESFORCE_FAILURES[error.code]}${code ? ` (${code})` : ''}${retry}. ` +
    `The details are in flowcart's log under request ${requestId}.`
  if (error instanceof SalesforceLimitError) {
    return new HttpError(503, error.code, message, { 'Retry-After': String(error.retryAfterSeconds) })
  }
  return new HttpError(502, error.code, message)
}

const codeByStatus: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
}

const codeByFastifyCode: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
}

/** The HttpError for `error`, or undefined when it is not one the service expects (a bug: 500). */
function toHttpError(error: Error, requestId: string): HttpError | undefined {
  if (error instanceof HttpError) return error
  if (error instanceof SalesforceError) return answerToSalesforce(error, requestId)
  const answer = answerTo(error)
  if (answer) return answer
  const status = (error as FastifyError).statusCode ?? 500
  if (status < 400 || status >= 500) return undefined
  const { validation, code } = error as FastifyError
  const stableCode = (validation && 'VALIDATION') || codeByFastifyCode[code] || codeByStatus[status] || 'BAD_REQUEST'
  const message = error instanceof SyntaxError ? `Body is not valid JSON: ${error.message}` : error.message
  return new HttpError(status, stableCode, message)
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: Error, request, reply) => {
    const answer = toHttpError(error, request.id)
    if (!answer) {
      request.log.error({ err: error }, 'unexpected error')
      return reply.code(500).send(errorBody(500, 'INTERNAL', 'Something went wrong on our side; it has been logged.'))
    }
    // The one log line of a dependency's failure: its own words, under the request's id.
    if (answer.statusCode >= 500) request.log.warn({ err: error }, 'dependency failure')
    return reply
      .code(answer.statusCode)
      .headers(answer.headers)
      .send(errorBody(answer.statusCode, answer.code, answer.message))
  })

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody(404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`))
  })
}
