// Requests Node's parser lets through but HTTP/1.1 says to refuse, refused before any route or credential check.
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { HttpError } from './http-error.js'

/** What makes the request's framing or addressing invalid, or undefined when there is nothing. */
function framingProblem(request: IncomingMessage): string | undefined {
  const transferEncoding = request.headers['transfer-encoding']
  // RFC 9112 §6.1: without chunked as the final coding a request's length cannot be known (Node's parser fails it
  // only after handing it over); and flowcart decodes no other transfer coding, so `gzip, chunked` is refused too.
  if (transferEncoding !== undefined && transferEncoding.trim().toLowerCase() !== 'chunked') {
    return 'Transfer-Encoding other than chunked is not supported; send the body with Content-Length or chunked.'
  }
  if (request.httpVersion !== '1.1') return undefined
  // RFC 9112 §3.2: an HTTP/1.1 request needs exactly one Host header.
  const hosts = request.rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === 'host')
  if (hosts.length === 0) return 'An HTTP/1.1 request needs a Host header.'
  if (hosts.length > 1) return 'The request has more than one Host header.'
  return undefined
}

/**
 * Refuses with 400 BAD_REQUEST. A bad Transfer-Encoding also closes the connection: where the request ends, and so
 * where the next one starts, is unknown (RFC 9112 §6.3).
 */
export function refuseMalformedRequests(app: FastifyInstance) {
  app.addHook('onRequest', (request, _reply, done) => {
    const problem = framingProblem(request.raw)
    if (problem === undefined) return done()
    const headers: Record<string, string> =
      request.headers['transfer-encoding'] === undefined ? {} : { connection: 'close' }
    done(new HttpError(400, 'BAD_REQUEST', problem, headers))
  })
}
