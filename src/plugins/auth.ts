// HTTP basic auth for every business route (Flow's Named Credential sends it); constant-time on both parts.
import { hash, timingSafeEqual } from 'node:crypto'
import basicAuth from '@fastify/basic-auth'
import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors.js'

// Hashing first gives equal-length buffers, so timingSafeEqual never leaks the secret's length.
// crypto.hash is the one-shot form: no Hash object per call. User name and password are hashed together (a user
// name cannot contain a colon), so both parts are compared in constant time with one hash per request.
const digest = (username: string, password: string) => hash('sha256', `${username}:${password}`, 'buffer')

export interface Credentials {
  username: string
  /** Every password accepted: the current one and, during a rotation, the previous one. */
  passwords: string[]
}

export async function requireBasicAuth(app: FastifyInstance, credentials: Credentials) {
  // A colon would make user:password ambiguous, and no client could send such a user name anyway.
  if (credentials.username.includes(':')) throw new Error('The basic-auth user name cannot contain a colon.')
  const accepted = credentials.passwords.map((password) => digest(credentials.username, password))
  await app.register(basicAuth, {
    authenticate: { realm: 'flowcart' },
    async validate(username, password) {
      const given = digest(username, password)
      // Compare against every accepted password (no early exit) so timing does not tell which one matched.
      const matches = accepted.map((expected) => timingSafeEqual(given, expected))
      if (!matches.includes(true)) throw new AppError(401, 'UNAUTHORIZED', 'Wrong user name or password.')
    },
  })
  app.addHook('onRequest', app.basicAuth)
}
