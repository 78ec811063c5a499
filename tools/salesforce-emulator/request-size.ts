// Salesforce's limit on a request's size: "In each REST call, the maximum length for the combined URI and headers is
// 16,384 bytes. A request exceeding this limit returns a 431 Request Header Fields Too Large error. If the URI itself
// exceeds this limit, the request returns a 414 URI Too Long error." (knowledge article 000386264,
// https://help.salesforce.com/s/articleView?id=000386264&type=1). The error body is not documented; needs a real org.
import type { FastifyInstance } from 'fastify'
import { sendApiError } from './wire.js'

export const MAX_URI_AND_HEADERS_BYTES = 16_384

export function limitRequestSize(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const uriBytes = Buffer.byteLength(request.raw.url ?? '')
    if (uriBytes > MAX_URI_AND_HEADERS_BYTES) {
      return sendApiError(
        reply,
        414,
        'URI_TOO_LONG',
        `The URI is ${uriBytes} bytes; at most ${MAX_URI_AND_HEADERS_BYTES}.`,
      )
    }
    const headerBytes = request.raw.rawHeaders.reduce((sum, part) => sum + Buffer.byteLength(part) + 2, 0)
    if (uriBytes + headerBytes > MAX_URI_AND_HEADERS_BYTES) {
      return sendApiError(
        reply,
        431,
        'REQUEST_HEADER_FIELDS_TOO_LARGE',
        `The URI and headers are ${uriBytes + headerBytes} bytes; at most ${MAX_URI_AND_HEADERS_BYTES}.`,
      )
    }
  })
}
