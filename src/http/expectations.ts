// The Expect header (RFC 9110 §10.1.1): 100-continue is granted once the request is accepted; any other is refused.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { HttpError } from './http-error.js'

/** Node acts on Expect only in HTTP/1.1; an HTTP/1.0 server ignores it (RFC 9110 §10.1.1). */
const expectations = (request: IncomingMessage) =>
  request.httpVersion === '1.1' && request.headers.expect !== undefined
    ? request.headers.expect.split(',').map((member) => member.trim().toLowerCase())
    : []

/**
 * Node answers an expectation itself unless the server listens for it: a bare 417 with an empty body for anything
 * but 100-continue, and `100 Continue` before any check for 100-continue, so a client with wrong credentials or a
 * body over the limit would send the whole body only to be refused. Both now reach the app: `100 Continue` is sent
 * when the body is about to be read (after the credential check), and a request refused before that is answered
 * without it and its connection closed by Node, as the client may still send the body it held back.
 */
export function handleExpectations(app: FastifyInstance) {
  const route = (request: IncomingMessage, response: ServerResponse) => app.server.emit('request', request, response)
  app.server.on('checkContinue', route)
  app.server.on('checkExpectation', route)
  app.addHook('onRequest', (request, _reply, done) => {
    if (expectations(request.raw).every((member) => member === '100-continue')) return done()
    done(new HttpError(417, 'EXPECTATION_FAILED', 'Only the 100-continue expectation is supported.'))
  })
  app.addHook('preParsing', (request, reply, payload, done) => {
    if (expectations(request.raw).includes('100-continue') && !reply.raw.headersSent) reply.raw.writeContinue()
    done(null, payload)
  })
}
