// Repeated failed logins are refused with 429 before the password is checked, per client and per user name.
import { randomInt } from 'node:crypto'
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

/** A client address of its own for each test, so counters in a shared Redis never mix. */
const newClient = () => `198.51.${randomInt(0, 255)}.${randomInt(1, 255)}`
// Behind Heroku's router (DYNO set), the client's address is the last X-Forwarded-For entry.
const behindRouter = { DYNO: 'web.1' }

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

  it('keeps serving, and counting in memory, when Redis cannot be reached', async () => {
    const app = await buildTestApp('sqlite', { ...behindRouter, REDIS_URL: 'redis://127.0.0.1:9' })
    const client = newClient()
    expect((await login(app, client, TEST_PASSWORD)).statusCode).toBe(200)
    await failUntilRefused(app, client)
    expect((await login(app, client, TEST_PASSWORD)).statusCode).toBe(429)
  })
})
