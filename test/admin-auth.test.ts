// The admin surface's own login: off without ADMIN_USERNAME and ADMIN_PASSWORD (404, like any unknown route), closed
// to the Flow callers' logins (401), throttled apart from them (429), in both modes, and in neither contract document.
import { randomInt } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { LOGIN_FAILURES_ALLOWED } from '../src/http/login-throttle.js'
import { createLogger } from '../src/logger.js'
import { addOrg } from '../src/orgs/service.js'
import { clientContextHeader } from '../tools/applink-stand-in/mesh.js'
import {
  basicAuth,
  buildTestApp,
  redisAvailable,
  registerCleanup,
  TEST_PASSWORD,
  TEST_REDIS_URL,
  TEST_USER,
  testConfig,
} from './helper.js'
import { ADMIN_ENV, ADMIN_PASSWORD, ADMIN_USER, adminHeaders, startAdminApp } from './support/admin.js'

const ADMIN_PATHS = ['/admin', '/admin/orgs']
/** A client address of its own for each test, so counters in a shared Redis never mix. */
const newClient = () => `198.51.${randomInt(0, 255)}.${randomInt(1, 255)}`
// Behind Heroku's router the client is the last X-Forwarded-For entry; the demo catalog is seeded for /products.
const behindRouter = { DYNO: 'web.1', SEED_DEMO_DATA: 'true' }
const from = (client: string, authorization: string) => ({ authorization, 'x-forwarded-for': client })

describe('the admin surface, off', () => {
  it('answers /admin and /admin/orgs as any unknown route without ADMIN_USERNAME and ADMIN_PASSWORD', async () => {
    const app = await buildTestApp()
    const unknown = await app.inject({ url: '/no-such-page' })
    for (const url of ADMIN_PATHS) {
      for (const headers of [{}, adminHeaders, { authorization: basicAuth() }]) {
        const response = await app.inject({ url, headers })
        expect(response.statusCode, url).toBe(404)
        expect(response.headers['content-type']).toBe(unknown.headers['content-type'])
        expect(response.json()).toEqual({ ...unknown.json(), message: `No route GET ${url}.` })
      }
    }
  })

  it('stops start-up with one clear line when only one of the two is set, or the password is weak in production', () => {
    expect(() => loadConfig({ ADMIN_USERNAME: 'ops' })).toThrow(
      'ADMIN_PASSWORD is missing: the admin status page needs ADMIN_USERNAME and ADMIN_PASSWORD together',
    )
    expect(() => loadConfig({ ADMIN_PASSWORD })).toThrow('ADMIN_USERNAME is missing')
    expect(() => loadConfig({ ADMIN_USERNAME: 'o:ps', ADMIN_PASSWORD })).toThrow(/^ADMIN_USERNAME is invalid/)
    const production = { NODE_ENV: 'production', API_PASSWORD: 'pT7#really-not-trivial-9', ADMIN_USERNAME: 'ops' }
    expect(() => loadConfig({ ...production, ADMIN_PASSWORD: 'short-one' })).toThrow(
      'ADMIN_PASSWORD must be at least 16 characters when NODE_ENV=production.',
    )
    expect(() => loadConfig({ ...production, ADMIN_PASSWORD: 'abababababababababab' })).toThrow(
      /^ADMIN_PASSWORD is too easy to guess/,
    )
    expect(() => loadConfig({ ...production, ADMIN_PASSWORD: production.API_PASSWORD })).toThrow(
      'ADMIN_PASSWORD must differ from API_PASSWORD',
    )
    expect(loadConfig({ ...production, ADMIN_PASSWORD: 'q8#Vw2-admin-page-Lz5' }).admin).toEqual({
      username: 'ops',
      password: 'q8#Vw2-admin-page-Lz5',
    })
    // Locally a short password is enough, as for API_PASSWORD.
    expect(loadConfig({ ADMIN_USERNAME: 'ops', ADMIN_PASSWORD: 'ops' }).admin?.password).toBe('ops')
  })
})

describe('the admin login', () => {
  it("opens both pages to the admin, and refuses everyone else's login with 401 JSON that echoes no secret", async () => {
    const { app, db } = await startAdminApp('sqlite')
    const org = await addOrg(db, { orgId: '00D5g000004AbCd', name: 'Acme' })
    for (const url of ADMIN_PATHS) expect((await app.inject({ url, headers: adminHeaders })).statusCode).toBe(200)

    const refusals = {
      'no credentials': undefined,
      'a wrong password': basicAuth(ADMIN_USER, 'not-the-password'),
      "the Flow callers' login": basicAuth(TEST_USER, TEST_PASSWORD),
      "an org's login": basicAuth(org.org.username, org.password),
      'the admin password under another name': basicAuth(TEST_USER, ADMIN_PASSWORD),
    }
    for (const [who, authorization] of Object.entries(refusals)) {
      for (const url of ADMIN_PATHS) {
        const response = await app.inject({ url, headers: authorization ? { authorization } : {} })
        expect([who, url, response.statusCode]).toEqual([who, url, 401])
        expect(response.headers['content-type']).toMatch(/^application\/json/)
        expect(response.headers['www-authenticate']).toMatch(/^Basic /)
        expect(response.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' })
        for (const secret of [ADMIN_PASSWORD, TEST_PASSWORD, org.password]) expect(response.body).not.toContain(secret)
      }
    }
    // Nor is the admin a Flow caller.
    expect((await app.inject({ url: '/products', headers: adminHeaders })).statusCode).toBe(401)
  })

  it("locks out a client after 10 failed admin logins with 429, without touching the Flow callers' count", async () => {
    const app = await buildTestApp('sqlite', { ...behindRouter, ...ADMIN_ENV })
    const client = newClient()
    await failAdminLogins(app, client)
    const refused = await app.inject({ url: '/admin/orgs', headers: from(client, adminHeaders.authorization) })
    expect(refused.statusCode).toBe(429)
    expect(refused.headers['content-type']).toMatch(/^application\/json/)
    expect(refused.json()).toMatchObject({ statusCode: 429, code: 'TOO_MANY_REQUESTS' })
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(refused.body).not.toContain(ADMIN_PASSWORD)
    // The same address still reaches the API with the Flow login, and the admin from elsewhere.
    expect((await app.inject({ url: '/products/1', headers: from(client, basicAuth()) })).statusCode).toBe(200)
    expect(
      (await app.inject({ url: '/admin', headers: from(newClient(), adminHeaders.authorization) })).statusCode,
    ).toBe(200)
  })

  it("is not locked out by the Flow callers' failed logins from the same address", async () => {
    const app = await buildTestApp('sqlite', { ...behindRouter, ...ADMIN_ENV })
    const client = newClient()
    for (let attempt = 0; attempt <= LOGIN_FAILURES_ALLOWED; attempt++) {
      await app.inject({ url: '/products/1', headers: from(client, basicAuth(TEST_USER, `guess-${attempt}`)) })
    }
    expect((await app.inject({ url: '/products/1', headers: from(client, basicAuth()) })).statusCode).toBe(429)
    expect(
      (await app.inject({ url: '/admin/orgs', headers: from(client, adminHeaders.authorization) })).statusCode,
    ).toBe(200)
  })

  it.skipIf(!redisAvailable)(
    'counts failed admin logins for every dyno in Redis, in a key space of their own',
    async () => {
      const env = { ...behindRouter, ...ADMIN_ENV, REDIS_URL: TEST_REDIS_URL }
      const [dyno1, dyno2] = await Promise.all([startWith(env), startWith(env)])
      const client = newClient()
      await failAdminLogins(dyno1, client)
      expect(
        (await dyno2.inject({ url: '/admin', headers: from(client, adminHeaders.authorization) })).statusCode,
      ).toBe(429)
      expect((await dyno2.inject({ url: '/products/1', headers: from(client, basicAuth()) })).statusCode).toBe(200)
    },
  )
})

describe('the admin surface in AppLink mode', () => {
  it('is there with its own login, outside the AppLink-authenticated routes', async () => {
    const app = await buildTestApp('sqlite', { AUTH_MODE: 'applink', APP_PORT: '0', ...ADMIN_ENV })
    const orgs = await app.inject({ url: '/admin/orgs', headers: adminHeaders })
    expect(orgs.statusCode).toBe(200)
    expect(orgs.json().map((org: { orgKey: string }) => org.orgKey)).toEqual(['default'])
    expect((await app.inject({ url: '/admin', headers: adminHeaders })).statusCode).toBe(200)
    const withoutLogin = await app.inject({ url: '/admin' })
    expect(withoutLogin.statusCode).toBe(401)
    expect(withoutLogin.headers['www-authenticate']).toMatch(/^Basic /)
    // A Flow call's client context is no admin login.
    const context = clientContextHeader(
      {
        accessToken: 't',
        userId: '005000000000001AAA',
        username: 'u',
        orgId: '00D000000000001AAA',
        instanceUrl: 'https://acme.my.salesforce.com',
      },
      '62.0',
      'r',
    )
    expect((await app.inject({ url: '/admin/orgs', headers: { 'x-client-context': context } })).statusCode).toBe(401)
  })
})

describe('the contract documents', () => {
  it('show no admin route, in either mode', async () => {
    for (const env of [ADMIN_ENV, { ...ADMIN_ENV, AUTH_MODE: 'applink', APP_PORT: '0' }]) {
      const app = await buildTestApp('sqlite', env)
      const contract = (await app.inject({ url: '/openapi.json' })).json()
      expect(Object.keys(contract.paths).filter((path) => path.startsWith('/admin'))).toEqual([])
      expect(JSON.stringify(contract)).not.toMatch(/admin|AdminOrg/i)
    }
  })
})

async function failAdminLogins(app: FastifyInstance, client: string) {
  for (let attempt = 0; attempt < LOGIN_FAILURES_ALLOWED; attempt++) {
    const response = await app.inject({
      url: '/admin',
      headers: from(client, basicAuth(ADMIN_USER, `guess-${attempt}`)),
    })
    expect(response.statusCode).toBe(401)
  }
}

async function startWith(env: Record<string, string>) {
  const app = await buildApp(testConfig({ DATABASE_URL: 'sqlite::memory:', ...env }), {
    logger: createLogger('silent'),
  })
  registerCleanup(() => app.close())
  await app.ready()
  return app
}
