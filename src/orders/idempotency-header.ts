// The Idempotency-Key of postOrder as a request carries it: read and checked here, at the route, so that the
// storage of keys (idempotency.ts) deals in plain strings and knows nothing of HTTP.
import type { FastifyRequest } from 'fastify'
import { InvalidInput } from '../errors.js'

const MAX_KEY_LENGTH = 255

/**
 * `idempotencyKey` (the contract's name: a hyphen would reach Flow as `idempotencyx2dkey`) or the standard
 * `Idempotency-Key`. The route schema checks the first; this one checks whichever arrived.
 */
export function idempotencyKeyOf(headers: FastifyRequest['headers']): string | undefined {
  const key = headers.idempotencykey ?? headers['idempotency-key']
  if (key === undefined) return undefined
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new InvalidInput(`Idempotency-Key must be one header of 1 to ${MAX_KEY_LENGTH} characters.`)
  }
  return key
}
