import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import {
  authHeaders,
  createPostgresDatabase,
  openTestDatabase,
  postgresAvailable,
  registerCleanup,
  testConfig,
} from './helper.js'
import { lockProducts } from './support/products-lock.js'

describe('database pool', () => {
  it('takes its size from DATABASE_POOL_SIZE', () => {
    expect(loadConfig({}).databasePoolSize).toBe(10)
    expect(loadConfig({ DATABASE_POOL_SIZE: '3' }).databasePoolSize).toBe(3)
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/^DATABASE_POOL_SIZE is invalid/)
  })
})

describe.skipIf(!postgresAvailable)('PostgreSQL pool exhausted', () => {
  it('answers 503 SERVICE_UNAVAILABLE with Retry-After, and the refused order changes nothing', async () => {
    const databaseUrl = await createPostgresDatabase()
    const db = await openTestDatabase(databaseUrl, { poolSize: 1, poolWaitMs: 300 })
    const app = await buildApp(testConfig({ DATABASE_URL: databaseUrl }), { logger: createLogger('silent'), db })
    registerCleanup(() => app.close())

    // Another session locks the catalog; the pool's only connection then waits on that lock inside a request.
    const lock = await lockProducts(databaseUrl)
    const holding = app.inject({ url: '/products/1', headers: authHeaders })
    await lock.untilWaiting()

    const refused = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: authHeaders,
      payload: { items: [{ productId: 1, quantity: 1 }] },
    })
    expect(refused.statusCode).toBe(503)
    expect(refused.headers['retry-after']).toBe('2')
    expect(refused.json()).toMatchObject({ statusCode: 503, code: 'SERVICE_UNAVAILABLE' })

    await lock.release()
    expect((await holding).statusCode).toBe(200)
    expect((await app.inject({ url: '/orders', headers: authHeaders })).json()).toEqual([])
    expect((await app.inject({ url: '/products/1', headers: authHeaders })).json().quantityInStock).toBe(40)
  })
})
