// Requests refused before routing (by Node's HTTP parser, or by Fastify's URL check) get the same ErrorResponse as
// every other error, with a stable code; nothing of the raw request reaches the log.
import { type IncomingMessage, STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify'
import { errorBody } from './http-error.js'

interface ParserError extends Error {
  code?: string
  /** llhttp's fixed description of what is wrong, e.g. "Invalid header value char". */
  reason?: string
}

/** Node's HTTP parser errors (llhttp `HPE_*`) and timeouts, as the status and code a client gets. */
function describeClientError(error: ParserError): [status: number, code: string, message: string] {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'REQUEST_TIMEOUT', 'The request did not arrive in time; send it again.']
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'HEADERS_TOO_LARGE', 'The request line and headers are larger than the 16 KiB allowed.']
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'PAYLOAD_TOO_LARGE', 'The chunk extensions are larger than allowed.']
    case 'HPE_INVALID_METHOD':
      return [400, 'BAD_REQUEST', 'Unknown HTTP method.']
    default:
      return [400, 'BAD_REQUEST', `The request is not valid HTTP: ${error.reason ?? error.code ?? 'unreadable'}.`]
  }
}

/** Answers on the bare socket (there is no request object to answer through), then closes it once sent. */
function answerAndClose(socket: Duplex, status: number, body: object, headers: Record<string, string> = {}) {
  const json = JSON.stringify(body)
  const lines = Object.entries({
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(json)),
    connection: 'close',
    ...headers,
  }).map(([name, value]) => `${name}: ${value}\r\n`)
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('')}\r\n${json}`, () => socket.destroy())
}

/**
 * Fastify's `clientErrorHandler`. Its default answers without `code` and logs the error at trace level with its
 * `rawPacket`: the request's bytes, Authorization header included. Only the parser's error code is logged here.
 */
export function answerClientError(this: FastifyInstance, error: ParserError, socket: Duplex) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const [status, code, message] = describeClientError(error)
  this.log.debug({ parserError: error.code, statusCode: status }, 'request refused before routing')
  if (socket.writable) answerAndClose(socket, status, errorBody(status, code, message))
  else socket.destroy()
}

/** `CONNECT` asks for a tunnel; Node hands it to this listener instead of a route, and without one closes the socket. */
export function refuseConnect(_request: IncomingMessage, socket: Duplex) {
  answerAndClose(
    socket,
    405,
    errorBody(405, 'METHOD_NOT_ALLOWED', 'CONNECT is not supported: flowcart is not a proxy.'),
    {
      allow: 'GET, HEAD, POST, PUT',
    },
  )
}

const frameworkCodes: Record<string, [status: number, code: string]> = {
  FST_ERR_BAD_URL: [400, 'BAD_REQUEST'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'URI_TOO_LONG'],
}

/** Fastify's `frameworkErrors`: a URL it cannot decode, or a path parameter over its length limit. */
export const answerFrameworkError: NonNullable<FastifyServerOptions['frameworkErrors']> = (
  error,
  _request: FastifyRequest,
  reply: FastifyReply,
) => {
  const [status, code] = frameworkCodes[error.code] ?? [500, 'INTERNAL']
  const message = status < 500 ? error.message : 'Something went wrong on our side; it has been logged.'
  reply.code(status).send(errorBody(status, code, message))
}
