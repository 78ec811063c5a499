// One error handler: every failure is answered as the JSON ErrorResponse, and 5xx details stay in the log.
import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance } from 'fastify'
import { AppError } from '../errors.js'

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

export function errorBody(statusCode: number, code: string, message: string) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, code }
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.statusCode >= 500) request.log.warn({ err: error }, 'dependency failure')
      return reply
        .code(error.statusCode)
        .headers(error.headers)
        .send(errorBody(error.statusCode, error.code, error.message))
    }
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500) {
      const code =
        (error.validation && 'VALIDATION') || codeByFastifyCode[error.code] || codeByStatus[status] || 'BAD_REQUEST'
      const message = error instanceof SyntaxError ? `Body is not valid JSON: ${error.message}` : error.message
      return reply.code(status).send(errorBody(status, code, message))
    }
    request.log.error({ err: error }, 'unexpected error')
    return reply.code(500).send(errorBody(500, 'INTERNAL', 'Something went wrong on our side; it has been logged.'))
  })

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody(404, 'NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`))
  })
}
