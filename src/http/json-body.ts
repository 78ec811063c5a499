// The only request body flowcart reads: UTF-8 JSON, sent as is (no content coding).
import { MIMEType } from 'node:util'
import type { FastifyInstance } from 'fastify'
import { HttpError } from './http-error.js'

const unsupported = (message: string) => new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', message)

function charsetOf(contentType: string | undefined): string | undefined {
  try {
    return new MIMEType(contentType ?? '').params.get('charset')?.toLowerCase()
  } catch {
    return undefined
  }
}

/**
 * Replaces Fastify's parsers with one for `application/json` that refuses what it would otherwise misread: a body
 * it cannot decompress (`Content-Encoding: gzip` was read as plain text), a charset other than UTF-8 (UTF-16 was
 * decoded as UTF-8), and bytes that are not UTF-8 at all (they became U+FFFD). Fastify's own JSON parser then
 * runs, with its protection against `__proto__` and `constructor` keys.
 */
export function acceptOnlyUtf8Json(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'error')
  const utf8 = new TextDecoder('utf-8', { fatal: true })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    const encoding = String(request.headers['content-encoding'] ?? '')
      .trim()
      .toLowerCase()
    if (encoding !== '' && encoding !== 'identity') {
      return done(unsupported(`Content-Encoding ${encoding} is not accepted; send the JSON uncompressed.`), undefined)
    }
    const charset = charsetOf(request.headers['content-type'])
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return done(unsupported(`charset=${charset} is not accepted; send UTF-8 JSON.`), undefined)
    }
    let text: string
    try {
      text = utf8.decode(body)
    } catch {
      return done(new HttpError(400, 'MALFORMED_JSON', 'The body is not valid UTF-8.'), undefined)
    }
    parseJson(request, text, done)
  })
}
