// HTTP basic auth for every business route (Flow's Named Credential sends it), constant-time, with failed logins
// throttled per client: a client that has used up its failed logins is refused whatever password it sends.
import { hash, timingSafeEqual } from 'node:crypto'
import basicAuth from '@fastify/basic-auth'
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import { HttpError } from './http-error.js'
import type { LoginThrottle } from './login-throttle.js'

// Hashing first gives equal-length buffers, so timingSafeEqual never leaks the secret's length.
// crypto.hash is the one-shot form: no Hash object per call. User name and password are hashed together (a user
// name cannot contain a colon), so both parts are compared in constant time with one hash per request.
const digest = (username: string, password: string) => hash('sha256', `${username}:${password}`, 'buffer')

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it finds.
const CONTROL_CHARACTER = /[\x00-\x1F\x7F]/
const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="flowcart", charset="UTF-8"' }
const MALFORMED = 'Authorization must be "Basic " and the base64 of user name:password (RFC 7617).'
/** What @fastify/basic-auth answers when the header is missing or is not a credential it can read. */
const UNREADABLE = 'FST_BASIC_AUTH_MISSING_OR_BAD_AUTHORIZATION_HEADER'
const unauthorized = (message: string) => new HttpError(401, 'UNAUTHORIZED', message, CHALLENGE)
const tooManyFailures = (wait: number) =>
  new HttpError(429, 'TOO_MANY_REQUESTS', `Too many failed logins from this client; retry in ${wait} s.`, {
    'Retry-After': String(wait),
  })

export interface Credentials {
  username: string
  /** Every password accepted: the current one and, during a rotation, the previous one. */
  passwords: string[]
}

/** The logins of registered orgs (src/orgs/org-logins.ts), each identifying its org. */
export interface OrgLogins {
  /**
   * The org Id whose current, active login this is; undefined otherwise. `beforeSlowCheck` runs (and may refuse by
   * throwing) only when the password must be checked against its slow hash, not for a login checked a moment ago.
   */
  verify(username: string, password: string, beforeSlowCheck: () => Promise<void>): Promise<string | undefined>
  /** Whether `username` is a registered org's login, active or not: its failures are counted apart from others'. */
  exists(username: string): Promise<boolean>
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The registered org whose login authenticated the request; undefined for the default login. */
    orgLogin?: string
  }
}

/**
 * True when `authorization` is exactly how RFC 7617 spells this user name and password: "Basic" in any case (an
 * auth scheme is case-insensitive, RFC 7235 section 2.1), one space, and the canonical base64 of their UTF-8 bytes.
 * @fastify/basic-auth decodes more than that (base64url, stray '.' and '~', missing or extra padding, bytes that
 * are not UTF-8); encoding what it decoded and comparing refuses every such spelling without a parser of our own.
 */
function spelledCanonically(authorization: string | undefined, username: string, password: string): boolean {
  const token = Buffer.from(`${username}:${password}`, 'utf8').toString('base64')
  // Both sides come from the request itself, so a plain comparison tells an attacker nothing.
  return /^basic $/i.test(authorization?.slice(0, 6) ?? '') && authorization?.slice(6) === token
}

export async function requireBasicAuth(
  app: FastifyInstance,
  credentials: Credentials,
  throttle: LoginThrottle,
  orgLogins?: OrgLogins,
) {
  // A colon would make user:password ambiguous, and no client could send such a user name anyway.
  if (credentials.username.includes(':')) throw new Error('The basic-auth user name cannot contain a colon.')
  const accepted = credentials.passwords.map((password) => digest(credentials.username, password))
  const expectedUser = hash('sha256', credentials.username, 'buffer')
  /**
   * The headers the service's own login sends, as RFC 7617 spells them ("Basic " and the canonical base64), hashed:
   * a request that carries one of them exactly is the default login with a current password, spelled canonically,
   * which the full check below would also find, after decoding the header, hashing three times and encoding again.
   * One hash of the header does instead (compared in constant time with each, as the passwords are): the full
   * check was 7 % of the server's busy CPU for POST /orders (profiled pinned with --cpu-prof), a third of it the
   * hashes. Any other header, another spelling of the same credential included, takes the full check.
   */
  const acceptedHeaders = credentials.passwords
    // A password with a control character is one the plugin refuses to read (RFC 7617): the full check answers it.
    .filter((password) => !CONTROL_CHARACTER.test(`${credentials.username}${password}`))
    .map((password) =>
      hash(
        'sha256',
        `Basic ${Buffer.from(`${credentials.username}:${password}`, 'utf8').toString('base64')}`,
        'buffer',
      ),
    )
  const isAcceptedHeader = (authorization: string) => {
    const given = hash('sha256', authorization, 'buffer')
    return acceptedHeaders.map((expected) => timingSafeEqual(given, expected)).includes(true)
  }

  /**
   * Failures are counted per client address and per login: the service's own user name, each registered org's, or
   * "any other". Flow callouts leave from Salesforce's shared addresses, so an address alone would let another org's
   * failures lock out this org's Named Credential; with the login in the key, only failures that name it count
   * against it. A failure with any other user name, or with a header that names no user at all, cannot succeed
   * anyway, and all of them share one count, so a client cannot make the counters grow without bound by inventing
   * names.
   */
  const throttleKey = async (request: FastifyRequest, username: string | undefined) => {
    if (username === undefined) return `${request.ip}/other`
    if (isDefaultUser(username)) return `${request.ip}/user`
    return (await orgLogins?.exists(username)) ? `${request.ip}/org:${username}` : `${request.ip}/other`
  }
  const isDefaultUser = (username: string) => timingSafeEqual(hash('sha256', username, 'buffer'), expectedUser)

  /**
   * Settles one attempt with the throttle, which counts a failure before it awaits anything, and answers it: 429
   * while the client is locked out, whatever the password; 401 for a failure within the allowance.
   */
  const answer = async (
    request: FastifyRequest,
    key: string,
    username: string | undefined,
    refusal: string | undefined,
  ) => {
    const wait = await throttle.settle(key, refusal !== undefined)
    if (wait !== undefined) throw tooManyFailures(wait)
    if (refusal === undefined) return
    // The user name as sent (cut short, never the password): who is being tried, and from where.
    const tried = username?.slice(0, 100)
    request.log.warn({ ip: request.ip, username: tried }, 'failed login')
    throw unauthorized(refusal)
  }

  // Past the exact headers of the service's own login (above), the plugin is the one reader of the header: the user
  // name it decodes is the one the throttle counts and the one whose password is checked, so the two can never
  // disagree about who is trying.
  await app.register(basicAuth, {
    async validate(username, password, request) {
      const given = digest(username, password)
      // Compare against every accepted password (no early exit) so timing does not tell which one matched.
      const matches = accepted.map((expected) => timingSafeEqual(given, expected))
      const key = await throttleKey(request, username)
      // Not the service's own login: perhaps a registered org's, whose password is checked against a slow hash, so
      // a client locked out already is refused before that cost (a read of its count: settle counts nothing here).
      const orgId =
        orgLogins && !isDefaultUser(username)
          ? await orgLogins.verify(username, password, async () => {
              const wait = await throttle.settle(key, false)
              if (wait !== undefined) throw tooManyFailures(wait)
            })
          : undefined
      const refusal = !spelledCanonically(request.headers.authorization, username, password)
        ? MALFORMED
        : matches.includes(true) || orgId !== undefined
          ? undefined
          : 'Wrong user name or password.'
      await answer(request, key, username, refusal)
      request.orgLogin = orgId
    },
  })

  app.addHook('onRequest', async (request, reply) => {
    const { authorization } = request.headers
    if (authorization !== undefined && isAcceptedHeader(authorization)) {
      // What the full check ends with for this login: the throttle still refuses a client locked out already.
      await answer(request, `${request.ip}/user`, credentials.username, undefined)
      request.orgLogin = undefined
      return
    }
    const refused = await new Promise<Error | undefined>((resolve) => app.basicAuth(request, reply, resolve))
    if (refused === undefined) return
    if ((refused as FastifyError).code !== UNREADABLE) throw refused
    // No header at all is no attempt. Anything else the plugin cannot read is a failed login that names no user:
    // garbage costs a try like any wrong guess, and cannot lock out the right user.
    if (request.headers.authorization === undefined) throw unauthorized('Basic credentials are required.')
    await answer(request, await throttleKey(request, undefined), undefined, MALFORMED)
  })
}
