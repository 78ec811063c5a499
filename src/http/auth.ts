// HTTP basic auth for every business route (Flow's Named Credential sends it), constant-time, with failed logins
// throttled per client before any password is checked.
import { hash, timingSafeEqual } from 'node:crypto'
import basicAuth from '@fastify/basic-auth'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { HttpError } from './http-error.js'
import type { LoginThrottle } from './login-throttle.js'

// Hashing first gives equal-length buffers, so timingSafeEqual never leaks the secret's length.
// crypto.hash is the one-shot form: no Hash object per call. User name and password are hashed together (a user
// name cannot contain a colon), so both parts are compared in constant time with one hash per request.
const digest = (username: string, password: string) => hash('sha256', `${username}:${password}`, 'buffer')

export interface Credentials {
  username: string
  /** Every password accepted: the current one and, during a rotation, the previous one. */
  passwords: string[]
}

/** The user name of a Basic Authorization header, or '' when there is none. */
function presentedUsername(authorization: string | undefined): string {
  const encoded = /^basic +([A-Za-z0-9+/]+=*)$/i.exec(authorization ?? '')?.[1]
  if (!encoded) return ''
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon < 0 ? '' : decoded.slice(0, colon)
}

export async function requireBasicAuth(app: FastifyInstance, credentials: Credentials, throttle: LoginThrottle) {
  // A colon would make user:password ambiguous, and no client could send such a user name anyway.
  if (credentials.username.includes(':')) throw new Error('The basic-auth user name cannot contain a colon.')
  const accepted = credentials.passwords.map((password) => digest(credentials.username, password))
  const expectedUser = hash('sha256', credentials.username, 'buffer')

  /**
   * Failures are counted per client address and per "the service's user name or any other". Flow callouts leave
   * from Salesforce's shared addresses, so an address alone would let another org's failures lock out this org's
   * Named Credential; with the user name in the key, only failures that name the right user count against it. A
   * failure with any other user name cannot succeed anyway, and all of them share one count, so a client cannot make
   * the counters grow without bound by inventing names.
   */
  const throttleKey = (request: FastifyRequest, username: string) => {
    const rightUser = timingSafeEqual(hash('sha256', username, 'buffer'), expectedUser)
    return `${request.ip}/${rightUser ? 'user' : 'other'}`
  }

  app.addHook('onRequest', async (request) => {
    const key = throttleKey(request, presentedUsername(request.headers.authorization))
    const wait = await throttle.retryAfterSeconds(key)
    if (wait !== undefined) {
      throw new HttpError(429, 'TOO_MANY_REQUESTS', `Too many failed logins from this client; retry in ${wait} s.`, {
        'Retry-After': String(wait),
      })
    }
  })
  await app.register(basicAuth, {
    authenticate: { realm: 'flowcart' },
    async validate(username, password, request) {
      const given = digest(username, password)
      // Compare against every accepted password (no early exit) so timing does not tell which one matched.
      const matches = accepted.map((expected) => timingSafeEqual(given, expected))
      if (matches.includes(true)) return
      await throttle.recordFailure(throttleKey(request, username))
      // The user name as sent (cut short, never the password): who is being tried, and from where.
      const tried = username.slice(0, 100)
      request.log.warn({ ip: request.ip, username: tried }, 'failed login')
      throw new HttpError(401, 'UNAUTHORIZED', 'Wrong user name or password.')
    },
  })
  app.addHook('onRequest', app.basicAuth)
}
