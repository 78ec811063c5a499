// Repeated failed logins are refused with 429 before the password is checked, per client and per user name.
import { randomInt } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { LOGIN_FAILURES_ALLOWED } from '../src/http/login-throttle.js'
import { createLogger } from '../src/logger.js'
import {
  basicAuth,
  buildTestApp,
  redisAvailable,
  registerCleanup,
  TEST_PASSWORD,
  TEST_REDIS_URL,
  testConfig,
} from './helper.js'
import { captureLines } from './support/log-capture.js'
import { sendRaw } from './support/raw-http.js'

/** A client address of its own for each test, so counters in a shared Redis never mix. */
const newClient = () => `198.51.${randomInt(0, 255)}.${randomInt(1, 255)}`
// Behind Heroku's router (DYNO set), the client's address is the last X-Forwarded-For entry.
// A catalog to read: where a platform runs flowcart, the demo catalog is seeded only when asked.
const behindRouter = { DYNO: 'web.1', SEED_DEMO_DATA: 'true' }

const basicAuthFor = (password: string) => basicAuth('flowcart', password)
const login = (app: FastifyInstance, client: string, password: string, user = 'flowcart') =>
  app.inject({ url: '/products/1', headers: { authorization: basicAuth(user, password), 'x-forwarded-for': client } })

async function failUntilRefused(app: FastifyInstance, client: string, user = 'flowcart') {
  for (let attempt = 0; attempt < LOGIN_FAILURES_ALLOWED; attempt++) {
    expect((await login(app, client, `guess-${attempt}`, user)).statusCode).toBe(401)
  }
}

describe('login throttle', () => {
  it('refuses a client after 10 failed logins, before checking even the right password, with Retry-After', async () => {
    const app = await buildTestApp('sqlite', behindRouter)
    const client = newClient()
    await failUntilRefused(app, client)
    const refused = await login(app, client, 'guess-11')
    expect(refused.statusCode).toBe(429)
    expect(refused.json()).toMatchObject({ statusCode: 429, code: 'TOO_MANY_REQUESTS' })
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60)
    expect((await login(app, client, TEST_PASSWORD)).statusCode).toBe(429)
    // Another client, and the same client on a dyno with no proxy in front of it, are not affected.
    expect((await login(app, newClient(), TEST_PASSWORD)).statusCode).toBe(200)
  })

  it("does not lock out the right user name over others' failures from the same address", async () => {
    const app = await buildTestApp('sqlite', behindRouter)
    const sharedEgress = newClient()
    await failUntilRefused(app, sharedEgress, 'someone-else')
    for (const user of ['someone-else', 'admin', 'root']) {
      expect((await login(app, sharedEgress, 'x', user)).statusCode).toBe(429)
    }
    expect((await login(app, sharedEgress, TEST_PASSWORD)).statusCode).toBe(200)
  })

  it('logs each failed login at warn with the client address and user name, never the password', async () => {
    const logs = captureLines()
    const app = await buildApp(testConfig({ DATABASE_URL: 'sqlite::memory:', ...behindRouter }), {
      logger: createLogger('info', logs.stream),
    })
    registerCleanup(() => app.close())
    const client = newClient()
    const response = await app.inject({
      url: '/products/1',
      headers: {
        authorization: basicAuth('flowcart', 'the-wrong-password-42'),
        'x-forwarded-for': `10.9.9.9, ${client}`,
      },
    })
    expect(response.statusCode).toBe(401)
    const line = logs
      .text()
      .split('\n')
      .filter(Boolean)
      .map((text) => JSON.parse(text))
      .find((entry) => entry.msg === 'failed login')
    expect(line).toMatchObject({ level: 40, ip: client, username: 'flowcart' })
    expect(logs.text()).not.toContain('the-wrong-password-42')
  })

  describe('reads the credential once, so every spelling of it is throttled alike', () => {
    const encode = (text: string) => Buffer.from(text).toString('base64')
    /** A password whose credential encodes with '+' or '/', so a base64url spelling differs from the canonical one. */
    const withSymbols = (password: string) => {
      let text = password
      while (!/[+/]/.test(encode(`flowcart:${text}`))) text += '?'
      return text
    }
    /** A password whose credential needs '=' padding. */
    const padded = (password: string) => {
      let text = password
      while (!encode(`flowcart:${text}`).endsWith('=')) text += 'x'
      return text
    }
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    /** The same bytes with the bits that padding leaves over set, which canonical base64 keeps at zero. */
    const leftoverBitsSet = (token: string) => {
      const last = token.indexOf('=') - 1
      return `${token.slice(0, last)}${alphabet[alphabet.indexOf(token.charAt(last)) | 1]}${token.slice(last + 1)}`
    }
    const spellings = {
      'a leading dot': (password) => `Basic .${encode(`flowcart:${password}`)}`,
      'a leading tilde': (password) => `Basic ~${encode(`flowcart:${password}`)}`,
      'a dot inside': (password) => `Basic ${encode(`flowcart:${password}`).replace(/^(.{4})/, '$1.')}`,
      base64url: (password) =>
        `Basic ${encode(`flowcart:${withSymbols(password)}`)
          .replaceAll('+', '-')
          .replaceAll('/', '_')}`,
      'no padding': (password) => `Basic ${encode(`flowcart:${padded(password)}`).replace(/=+$/, '')}`,
      'leftover bits set': (password) => `Basic ${leftoverBitsSet(encode(`flowcart:${padded(password)}`))}`,
      'extra padding': (password) => `Basic ${encode(`flowcart:${padded(password)}`)}==`,
      'two spaces': (password) => `Basic  ${encode(`flowcart:${password}`)}`,
      'a tab': (password) => `Basic\t${encode(`flowcart:${password}`)}`,
      'a trailing space': (password) => `Basic ${encode(`flowcart:${password}`)} `,
      'upper-case scheme': (password) => `BASIC ${encode(`flowcart:${password}`)}`,
      'a look-alike scheme': (password) => `Baſic ${encode(`flowcart:${password}`)}`,
      'no colon': (password) => `Basic ${encode(`flowcart${password}`)}`,
      'bytes that are not UTF-8': (password) =>
        `Basic ${Buffer.concat([Buffer.from(`flowcart:${password}`), Buffer.from([0xff, 0xfe])]).toString('base64')}`,
      'another scheme': (password) => `Bearer ${encode(`flowcart:${password}`)}`,
    } satisfies Record<string, (password: string) => string>
    const send = (app: FastifyInstance, client: string, authorization: string) =>
      app.inject({ url: '/products/1', headers: { authorization, 'x-forwarded-for': client } })

    for (const [name, spell] of Object.entries(spellings)) {
      it(`refuses guesses spelled with ${name} with 429 after ${LOGIN_FAILURES_ALLOWED} failures`, async () => {
        const app = await buildTestApp('sqlite', behindRouter)
        const client = newClient()
        const statuses: number[] = []
        for (let attempt = 0; attempt < 30; attempt++) {
          statuses.push((await send(app, client, spell(`guess-${attempt}`))).statusCode)
        }
        expect(statuses).toEqual([...Array(LOGIN_FAILURES_ALLOWED).fill(401), ...Array(20).fill(429)])
      })
    }

    it('counts guesses against the same client and user name whether their header is plain or decorated', async () => {
      const app = await buildTestApp('sqlite', behindRouter)
      const client = newClient()
      const decorated = [spellings['a leading dot'], spellings.base64url, spellings['no padding'], basicAuthFor]
      for (let attempt = 0; attempt < LOGIN_FAILURES_ALLOWED; attempt++) {
        const spell = decorated[attempt % decorated.length] ?? basicAuthFor
        expect((await send(app, client, spell(`guess-${attempt}`))).statusCode).toBe(401)
      }
      expect((await login(app, client, 'guess-next')).statusCode).toBe(429)
    })

    it('never lets the right password in through a decorated header while the client is locked out', async () => {
      const app = await buildTestApp('sqlite', behindRouter)
      const client = newClient()
      await failUntilRefused(app, client)
      expect((await login(app, client, TEST_PASSWORD)).statusCode).toBe(429)
      for (const [name, spell] of Object.entries(spellings)) {
        expect((await send(app, client, spell(TEST_PASSWORD))).statusCode, name).not.toBe(200)
      }
      expect((await send(app, client, spellings['a leading dot'](TEST_PASSWORD))).statusCode).toBe(429)
    })

    it('counts garbage that names no user apart from the right user, and a missing header not at all', async () => {
      const app = await buildTestApp('sqlite', behindRouter)
      const client = newClient()
      for (let attempt = 0; attempt < 30; attempt++) {
        expect((await app.inject({ url: '/products/1', headers: { 'x-forwarded-for': client } })).statusCode).toBe(401)
      }
      for (let attempt = 0; attempt < LOGIN_FAILURES_ALLOWED; attempt++) {
        expect((await send(app, client, `Basic !${attempt}`)).statusCode).toBe(401)
      }
      expect((await send(app, client, 'Basic garbage')).statusCode).toBe(429)
      expect((await login(app, client, TEST_PASSWORD)).statusCode).toBe(200)
    })

    it('reads the header as it came over the wire: given twice, or with bytes outside ASCII', async () => {
      const app = await buildApp(testConfig({ DATABASE_URL: 'sqlite::memory:' }), { logger: createLogger('silent') })
      registerCleanup(() => app.close())
      await app.listen({ port: 0, host: '127.0.0.1' })
      const { port } = app.server.address() as AddressInfo
      const get = (...authorizations: string[]) =>
        sendRaw(
          port,
          Buffer.from(
            `GET /products/1 HTTP/1.1\r\nHost: x\r\n${authorizations.map((value) => `Authorization: ${value}\r\n`).join('')}Connection: close\r\n\r\n`,
            'latin1',
          ),
        )
      for (let attempt = 0; attempt < LOGIN_FAILURES_ALLOWED; attempt++) {
        expect((await get(basicAuthFor(`guess-${attempt}`))).status).toBe(401)
      }
      const right = basicAuthFor(TEST_PASSWORD)
      for (const authorizations of [
        [right],
        [right, right],
        [spellings['a leading dot'](TEST_PASSWORD), right],
        [right, spellings['a leading dot'](TEST_PASSWORD)],
        [`${right}\u00e9`],
        [`Basic \u00e9${right.slice(6)}`],
      ]) {
        // Refused as locked out, or (what the plugin cannot read) as a failure that names no user; never let in.
        expect([401, 429], authorizations.join(' + ')).toContain((await get(...authorizations)).status)
      }
    })

    it('refuses the right password in a malformed header, without telling that it was right', async () => {
      const app = await buildTestApp('sqlite', behindRouter)
      for (const [name, spell] of Object.entries(spellings)) {
        if (name === 'upper-case scheme') continue
        const response = await send(app, newClient(), spell(TEST_PASSWORD))
        expect(response.statusCode, name).toBe(401)
        expect(response.json(), name).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' })
        expect(response.headers['www-authenticate'], name).toMatch(/^Basic realm="flowcart"/)
      }
      // The scheme's case does not matter (RFC 7235 section 2.1).
      expect((await send(app, newClient(), spellings['upper-case scheme'](TEST_PASSWORD))).statusCode).toBe(200)
    })
  })

  it.skipIf(!redisAvailable)('counts failures across dynos in Redis when REDIS_URL is set', async () => {
    const firstDyno = await buildTestApp('sqlite', { ...behindRouter, REDIS_URL: TEST_REDIS_URL })
    const secondDyno = await buildTestApp('sqlite', { ...behindRouter, REDIS_URL: TEST_REDIS_URL })
    const client = newClient()
    for (let attempt = 0; attempt < LOGIN_FAILURES_ALLOWED; attempt++) {
      const dyno = attempt % 2 === 0 ? firstDyno : secondDyno
      expect((await login(dyno, client, `guess-${attempt}`)).statusCode).toBe(401)
    }
    expect((await login(firstDyno, client, TEST_PASSWORD)).statusCode).toBe(429)
    expect((await login(secondDyno, client, TEST_PASSWORD)).statusCode).toBe(429)
    expect((await login(secondDyno, newClient(), TEST_PASSWORD)).statusCode).toBe(200)
  })

  // With Redis, every check waits on the network: guesses sent all at once must not all pass it before any counts.
  for (const [where, env] of [
    ['in memory', {}],
    ['with Redis', { REDIS_URL: TEST_REDIS_URL }],
  ] as const) {
    it.skipIf(where === 'with Redis' && !redisAvailable)(
      `counts guesses sent all at once before letting more through (${where})`,
      async () => {
        const app = await buildTestApp('sqlite', { ...behindRouter, ...env })
        const client = newClient()
        const guesses = await Promise.all(
          Array.from({ length: 200 }, (_, attempt) => login(app, client, `guess-${attempt}`)),
        )
        const statuses = guesses.map((response) => response.statusCode)
        expect(statuses.filter((status) => status === 401)).toHaveLength(LOGIN_FAILURES_ALLOWED)
        expect(statuses.filter((status) => status === 429)).toHaveLength(200 - LOGIN_FAILURES_ALLOWED)
        expect((await login(app, client, TEST_PASSWORD)).statusCode).toBe(429)
      },
    )
  }

  it('keeps serving, and counting in memory, when Redis cannot be reached', async () => {
    const app = await buildTestApp('sqlite', { ...behindRouter, REDIS_URL: 'redis://127.0.0.1:9' })
    const client = newClient()
    expect((await login(app, client, TEST_PASSWORD)).statusCode).toBe(200)
    await failUntilRefused(app, client)
    expect((await login(app, client, TEST_PASSWORD)).statusCode).toBe(429)
  })
})
