// Building blocks shared by the route schemas, and the one ErrorResponse; every shape here ends up in the contract.
import { type Static, type TSchema, type TSchemaOptions, Type } from 'typebox'
import type { Page } from '../db/page.js'
import { InvalidInput } from '../errors.js'

export { StringEnum } from '../string-enum.js'

/**
 * `{ $ref: '<$id>' }` to a shared schema (registered with addSchema), statically typed as that schema.
 * TypeBox 1 dropped `Type.Ref(schema)`: given a schema it nests the whole object under `$ref`.
 */
export const SchemaRef = <T extends TSchema>(schema: T, options: TSchemaOptions = {}) => {
  const { $id } = schema as { $id?: string }
  if ($id === undefined) throw new Error('SchemaRef needs a schema with an $id')
  return Type.Unsafe<Static<T>>(Type.Ref($id, options))
}

export const Int32 = (options: Parameters<typeof Type.Integer>[0] = {}) => Type.Integer({ format: 'int32', ...options })

export const Id = (description: string, options: { example?: number } = {}) =>
  Int32({ minimum: 1, description, ...options })

export const DateTime = (description: string) => Type.String({ format: 'date-time', description })

/** A Salesforce record Id, 15 or 18 letters and digits. */
export const SalesforceId = (description: string) =>
  Type.String({ pattern: '^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$', minLength: 15, maxLength: 18, description })

export const PageQuery = Type.Object({
  pageSize: Type.Optional(Int32({ minimum: 1, maximum: 200, default: 50, description: 'Items per page (1–200).' })),
  offset: Type.Optional(Int32({ minimum: 0, default: 0, description: 'Items to skip before the page starts.' })),
})
/**
 * `after` of a listing: the keyset cursor, described in that listing's own order. Not in PageQuery, so that each
 * listing says which items follow, and declared last so that the parameters already registered keep their places.
 */
export const AfterQuery = (description: string) => Type.Optional(Id(description))

/**
 * The page the query asks for, its defaults filled in, as the repositories take it. `after` with an `offset` other
 * than 0 is refused rather than given a meaning: a loop that passes the last id and still adds to its offset would
 * skip items without noticing. An offset of 0 is what a client sends when it fills in every default.
 */
export function pageOf(query: Static<typeof PageQuery> & { after?: number }): Page {
  const page: Page = { pageSize: query.pageSize ?? 50, offset: query.offset ?? 0 }
  if (query.after === undefined) return page
  if (page.offset !== 0) {
    throw new InvalidInput(
      'querystring/after and querystring/offset cannot be used together: after already says where the page starts. ' +
        'Leave offset out (or 0).',
    )
  }
  return { ...page, after: query.after }
}

export const ErrorResponse = Type.Object(
  {
    statusCode: Int32({ description: 'HTTP status code.' }),
    error: Type.String({ description: 'HTTP status text, e.g. "Conflict".' }),
    message: Type.String({ description: 'What went wrong, for a person.' }),
    code: Type.String({
      description:
        'Stable machine-readable reason: VALIDATION, MALFORMED_JSON, BAD_REQUEST, UNAUTHORIZED, HTTPS_REQUIRED, NOT_FOUND, ' +
        'METHOD_NOT_ALLOWED, REQUEST_TIMEOUT, OUT_OF_STOCK, PRODUCT_INACTIVE, SKU_TAKEN, CATALOG_FROM_SALESFORCE, PAYLOAD_TOO_LARGE, URI_TOO_LONG, UNSUPPORTED_MEDIA_TYPE, ' +
        'EXPECTATION_FAILED, IDEMPOTENCY_CONFLICT, TOO_MANY_REQUESTS, HEADERS_TOO_LARGE, SALESFORCE_AUTH, SALESFORCE_UNAVAILABLE, SALESFORCE_ERROR, ' +
        'SALESFORCE_LIMIT_EXCEEDED, SERVICE_UNAVAILABLE, INTERNAL.',
    }),
  },
  { $id: 'ErrorResponse', description: 'Every error flowcart answers has this shape.' },
)

const errorDescriptions: Record<number, string> = {
  400: 'The request is malformed or fails validation (code VALIDATION or MALFORMED_JSON).',
  401: 'Missing or wrong basic-auth credentials (code UNAUTHORIZED).',
  403: 'The request came over plain HTTP; flowcart in production accepts HTTPS only (code HTTPS_REQUIRED).',
  404: 'The resource does not exist (code NOT_FOUND).',
  409: 'Not enough stock for one of the products (code OUT_OF_STOCK), or one is no longer sold (PRODUCT_INACTIVE); the message names the product.',
  413: 'The body is larger than 256 KiB (code PAYLOAD_TOO_LARGE).',
  415: 'The body is not uncompressed UTF-8 application/json (code UNSUPPORTED_MEDIA_TYPE).',
  422: 'The Idempotency-Key was already used with a different body (code IDEMPOTENCY_CONFLICT).',
  429: 'Too many failed logins from this client; retry after the Retry-After seconds (code TOO_MANY_REQUESTS).',
  500: 'Unexpected failure; details are in the service log (code INTERNAL).',
  502: 'Salesforce refused the integration user, could not be reached, or refused the request (SALESFORCE_AUTH, SALESFORCE_UNAVAILABLE, SALESFORCE_ERROR).',
  503: 'Retry after the Retry-After seconds: no database connection could be had in time (SERVICE_UNAVAILABLE), or the Salesforce API limit is reached (SALESFORCE_LIMIT_EXCEEDED).',
}

/** Statuses every operation can answer, whatever it does. */
const ANY_OPERATION = [403, 429, 500, 503]

/** Response schemas for the given error statuses and ANY_OPERATION's, each the shared ErrorResponse. */
export function errorResponses(...statuses: number[]) {
  return Object.fromEntries(
    [...new Set([...statuses, ...ANY_OPERATION])]
      .sort()
      .map((status) => [status, SchemaRef(ErrorResponse, { description: errorDescriptions[status] ?? 'Error.' })]),
  )
}
