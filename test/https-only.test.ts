// Behind Heroku's router: plain HTTP is refused in production before credentials are read; HTTPS answers carry HSTS.
import { describe, expect, it } from 'vitest'
import { authHeaders, basicAuth, buildTestApp } from './helper.js'

const production = { NODE_ENV: 'production', DYNO: 'web.1', SEED_DEMO_DATA: 'true' }

describe('HTTPS only behind the router', () => {
  it('refuses a request that came over plain HTTP with 403 HTTPS_REQUIRED, whatever its credentials', async () => {
    const app = await buildTestApp('sqlite', production)
    for (const authorization of [authHeaders.authorization, basicAuth('flowcart', 'wrong-password'), undefined]) {
      const response = await app.inject({
        url: '/products/1',
        headers: { 'x-forwarded-proto': 'http', ...(authorization ? { authorization } : {}) },
      })
      expect(response.statusCode).toBe(403)
      expect(response.json()).toMatchObject({ statusCode: 403, code: 'HTTPS_REQUIRED' })
      expect(response.json().message).toContain('https://')
      expect(response.headers['www-authenticate']).toBeUndefined()
      expect(response.headers.location).toBeUndefined()
    }
    const order = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { ...authHeaders, 'x-forwarded-proto': 'http' },
      payload: { items: [{ productId: 1, quantity: 1 }] },
    })
    expect(order.statusCode).toBe(403)
    const orders = await app.inject({ url: '/orders', headers: { ...authHeaders, 'x-forwarded-proto': 'https' } })
    expect(orders.json()).toEqual([])
  })

  it('serves HTTPS with Strict-Transport-Security, and a request without the header as before', async () => {
    const app = await buildTestApp('sqlite', production)
    const secure = await app.inject({ url: '/products/1', headers: { ...authHeaders, 'x-forwarded-proto': 'https' } })
    expect(secure.statusCode).toBe(200)
    expect(secure.headers['strict-transport-security']).toBe('max-age=31536000')
    const direct = await app.inject({ url: '/products/1', headers: authHeaders })
    expect(direct.statusCode).toBe(200)
    expect(direct.headers['strict-transport-security']).toBeUndefined()
  })

  it('takes the last proxy hop: a client cannot claim HTTPS by sending the header itself', async () => {
    const app = await buildTestApp('sqlite', production)
    const spoofed = await app.inject({
      url: '/products/1',
      headers: { ...authHeaders, 'x-forwarded-proto': 'https, http' },
    })
    expect(spoofed.statusCode).toBe(403)
  })

  it('serves plain HTTP outside production, and ignores the header where no proxy is trusted', async () => {
    const development = await buildTestApp('sqlite', { DYNO: 'web.1', SEED_DEMO_DATA: 'true' })
    const plain = await development.inject({
      url: '/products/1',
      headers: { ...authHeaders, 'x-forwarded-proto': 'http' },
    })
    expect(plain.statusCode).toBe(200)
    const untrusted = await buildTestApp('sqlite', { NODE_ENV: 'production', SEED_DEMO_DATA: 'true' })
    const header = await untrusted.inject({
      url: '/products/1',
      headers: { ...authHeaders, 'x-forwarded-proto': 'http' },
    })
    expect(header.statusCode).toBe(200)
    expect(header.headers['strict-transport-security']).toBeUndefined()
  })
})
