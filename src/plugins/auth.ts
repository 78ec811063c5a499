// HTTP basic auth for every business route (Flow's Named Credential sends it); constant-time on both parts.
import { hash, timingSafeEqual } from 'node:crypto'
import basicAuth from '@fastify/basic-auth'
import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors.js'

// Hashing first gives equal-length buffers, so timingSafeEqual never leaks the secret's length.
// crypto.hash is the one-shot form: no Hash object per call.
const digest = (value: string) => hash('sha256', value, 'buffer')
const sameSecret = (given: Buffer, expected: Buffer) => timingSafeEqual(given, expected)

export interface Credentials {
  username: string
  /** Every password accepted: the current one and, during a rotation, the previous one. */
  passwords: string[]
}

export async function requireBasicAuth(app: FastifyInstance, credentials: Credentials) {
  const expectedUser = digest(credentials.username)
  const expectedPasswords = credentials.passwords.map(digest)
  await app.register(basicAuth, {
    authenticate: { realm: 'flowcart' },
    async validate(username, password) {
      const userOk = sameSecret(digest(username), expectedUser)
      const given = digest(password)
      // Compare against every accepted password (no early exit) so timing does not tell which one matched.
      const passwordOk = expectedPasswords.map((expected) => sameSecret(given, expected)).includes(true)
      if (!userOk || !passwordOk) throw new AppError(401, 'UNAUTHORIZED', 'Wrong user name or password.')
    },
  })
  app.addHook('onRequest', app.basicAuth)
}
