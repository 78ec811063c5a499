// Requests refused before routing (by Node's HTTP parser, or by Fastify's URL check) get the same ErrorResponse as
// every other error, with a stable code; nothing of the raw request reaches the log.
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
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

/** The answer written on the bare socket (there is no request object to answer through). */
function rawAnswer(status: number, body: object, headers: Record<string, string> = {}) {
  const json = JSON.stringify(body)
  const lines = Object.entries({
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(json)),
    connection: 'close',
    ...headers,
  }).map(([name, value]) => `${name}: ${value}\r\n`)
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('')}\r\n${json}`
}

/** Writes `answer` (if any) and closes the socket once it is sent. */
function closeWith(socket: Duplex, answer?: string) {
  if (!socket.writable) return void socket.destroy()
  socket.end(answer ?? '', () => socket.destroy())
}

/** Resolves once `response` is sent in full, or can no longer be. */
const sent = (response: ServerResponse) =>
  response.writableFinished || response.destroyed
    ? Promise.resolve()
    : new Promise<void>((resolve) => response.once('close', () => resolve()))

/** Connections already being closed after an error: the parser stopped at it, so any later error is the same one. */
const closing = new WeakSet<Duplex>()

/**
 * Fastify's `clientErrorHandler`. Its default answers without `code` and logs the error at trace level with its
 * `rawPacket`: the request's bytes, Authorization header included. Only the parser's error code is logged here.
 *
 * One request, one answer: the error is answered only when the request it belongs to has no answer begun (the
 * parser can fail after Node has already handed a request to Fastify, in its body or just after its headers), and
 * only after the answers already under way on the connection, so that no answer is cut short or taken by a client
 * for the answer to an earlier pipelined request. The connection is closed then.
 */
export function answerClientError(this: FastifyInstance, error: ParserError, socket: Duplex) {
  if (error.code === 'ECONNRESET' || socket.destroyed || closing.has(socket)) return
  closing.add(socket)
  const [status, code, message] = describeClientError(error)
  this.log.debug({ parserError: error.code, statusCode: status }, 'request refused before routing')
  const { latest, unsent } = this.connections.exchangesOn(socket as Socket)
  // A request whose message the parser was still reading when it failed.
  const failed = latest && !latest.request.complete ? latest : undefined
  const earlier = unsent.filter((response) => response !== failed?.response)
  Promise.all(earlier.map(sent)).then(async () => {
    if (!failed?.response.headersSent) return closeWith(socket, rawAnswer(status, errorBody(status, code, message)))
    await sent(failed.response)
    closeWith(socket)
  })
}

/** `CONNECT` asks for a tunnel; Node hands it to this listener instead of a route, and without one closes the socket. */
export function refuseConnect(_request: IncomingMessage, socket: Duplex) {
  closeWith(
    socket,
    rawAnswer(405, errorBody(405, 'METHOD_NOT_ALLOWED', 'CONNECT is not supported: flowcart is not a proxy.'), {
      allow: 'GET, HEAD, POST, PUT',
    }),
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
