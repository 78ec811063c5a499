// Response shapes shared by every Salesforce endpoint: the JSON content type, request-level and per-record errors.
import type { FastifyReply } from 'fastify'

// jsforce parses a body as JSON only when the content type starts with application/json.
export const SALESFORCE_JSON = 'application/json;charset=UTF-8'

export const NOT_FOUND_MESSAGE = 'The requested resource does not exist'

export interface SaveError {
  statusCode: string
  message: string
  fields: string[]
}

export interface SaveResult {
  id?: string
  success: boolean
  errors: SaveError[]
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', SALESFORCE_JSON).send(JSON.stringify(body))
}

/** Request-level errors are an array of `{message, errorCode}`, unlike per-record errors which use `statusCode`. */
export function sendApiError(
  reply: FastifyReply,
  status: number,
  errorCode: string,
  message: string,
  fields?: string[],
): FastifyReply {
  return sendJson(reply, status, [{ message, errorCode, ...(fields ? { fields } : {}) }])
}

/** Thrown anywhere below a route to answer with a request-level error. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message)
  }
}

export const saveError = (statusCode: string, message: string, fields: string[] = []): SaveError => ({
  statusCode,
  message,
  fields,
})

export const noSuchColumn = (fieldName: string, objectName: string) =>
  `No such column '${fieldName}' on sobject of type ${objectName}`

const API_VERSION = /^v\d{2,3}\.\d$/

/** Any other segment after /services/data/ is an unknown resource. */
export function checkVersion(version: string): void {
  if (!API_VERSION.test(version)) throw new ApiError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE)
}
