import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { requireBasicAuth } from '../src/http/auth.js'
import { createLoginThrottle } from '../src/http/login-throttle.js'
import { basicAuth, buildTestApp, TEST_PASSWORD, TEST_USER } from './helper.js'

describe('basic auth', () => {
  it('refuses a request without credentials with 401, a Basic challenge and the JSON error', async () => {
    const app = await buildTestApp()
    const response = await app.inject({ url: '/products' })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toMatch(/^Basic realm="flowcart"/)
    expect(response.headers['content-type']).toContain('application/json')
    expect(response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized', code: 'UNAUTHORIZED' })
  })

  it('refuses a wrong password, a wrong user name and a malformed header', async () => {
    const app = await buildTestApp()
    for (const authorization of [
      basicAuth(TEST_USER, 'wrong'),
      basicAuth('someone', TEST_PASSWORD),
      'Basic !!!',
      'Bearer abc',
    ]) {
      const response = await app.inject({ url: '/orders', headers: { authorization } })
      expect(response.statusCode, authorization).toBe(401)
      expect(response.json().code).toBe('UNAUTHORIZED')
      expect(response.body).not.toContain(TEST_PASSWORD)
    }
  })

  it('accepts the current password and, during a rotation, the previous one', async () => {
    const app = await buildTestApp('sqlite', {
      API_PASSWORD: 'new-password-abcdefgh',
      API_PASSWORD_PREVIOUS: 'old-password-abcdefgh',
    })
    for (const password of ['new-password-abcdefgh', 'old-password-abcdefgh']) {
      const response = await app.inject({
        url: '/products',
        headers: { authorization: basicAuth(TEST_USER, password) },
      })
      expect(response.statusCode).toBe(200)
    }
    const stale = await app.inject({
      url: '/products',
      headers: { authorization: basicAuth(TEST_USER, TEST_PASSWORD) },
    })
    expect(stale.statusCode).toBe(401)
  })

  it('protects every business route but leaves /healthz open', async () => {
    const app = await buildTestApp()
    for (const [method, url] of [
      ['GET', '/products'],
      ['GET', '/products/1'],
      ['POST', '/orders'],
      ['GET', '/orders'],
      ['GET', '/orders/1'],
      ['GET', '/inventory'],
      ['PUT', '/inventory/1'],
    ] as const) {
      expect((await app.inject({ method, url })).statusCode, `${method} ${url}`).toBe(401)
    }
    const health = await app.inject({ url: '/healthz' })
    expect(health.statusCode).toBe(200)
    expect(health.json()).toEqual({ status: 'ok', database: 'ok', salesforce: { configured: false, pendingEvents: 0 } })
  })

  it('refuses to guard routes with a user name that contains a colon', async () => {
    const app = Fastify()
    const throttle = await createLoginThrottle(undefined, app.log)
    await expect(
      requireBasicAuth(app, { username: 'flow:cart', passwords: [TEST_PASSWORD] }, throttle),
    ).rejects.toThrow(/cannot contain a colon/)
  })

  it("pays for an org login's slow check only while the client may still try it", async () => {
    const app = Fastify()
    const throttle = await createLoginThrottle(undefined, app.log)
    // A registry of one org, counting the checks it is asked for (each a slow hash in the real one).
    let checks = 0
    const orgLogins = {
      verify: async (username: string, password: string, beforeSlowCheck: () => Promise<void>) => {
        await beforeSlowCheck()
        checks += 1
        return username === 'org-one' && password === 'its-password' ? '00D000000000001AAA' : undefined
      },
      exists: async (username: string) => username === 'org-one',
    }
    await app.register(async (api) => {
      await requireBasicAuth(api, { username: TEST_USER, passwords: [TEST_PASSWORD] }, throttle, orgLogins)
      api.get('/who', async (request) => ({ org: request.orgLogin ?? null }))
    })
    const call = (user: string, password: string) =>
      app.inject({ url: '/who', headers: { authorization: basicAuth(user, password) } })
    expect((await call('org-one', 'its-password')).json()).toEqual({ org: '00D000000000001AAA' })
    expect((await call(TEST_USER, TEST_PASSWORD)).json()).toEqual({ org: null })
    checks = 0
    const statuses = []
    for (let attempt = 0; attempt < 15; attempt++) statuses.push((await call('org-one', 'a guess')).statusCode)
    expect(statuses).toEqual([...Array(10).fill(401), ...Array(5).fill(429)])
    // The locked-out guesses were refused before the check: ten checks, not fifteen.
    expect(checks).toBe(10)
    await app.close()
  })
})
