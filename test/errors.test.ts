import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { createLogger } from '../src/logger.js'
import { openStore } from '../src/store/index.js'
import { authHeaders, buildTestApp, testConfig } from './helper.js'

const expectJsonError = (
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
) => {
  expect(response.statusCode).toBe(status)
  expect(String(response.headers['content-type'])).toContain('application/json')
  expect(response.body).not.toMatch(/<html|at \w+ \(|node_modules/i)
  expect(JSON.parse(response.body)).toMatchObject({ statusCode: status, code })
}

describe('errors are always the JSON ErrorResponse', () => {
  it('malformed JSON → 400 MALFORMED_JSON', async () => {
    const app = await buildTestApp()
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { ...authHeaders, 'content-type': 'application/json' },
      payload: '{"items": [',
    })
    expectJsonError(response, 400, 'MALFORMED_JSON')
  })

  it('wrong content type → 415', async () => {
    const app = await buildTestApp()
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { ...authHeaders, 'content-type': 'application/xml' },
      payload: '<order/>',
    })
    expectJsonError(response, 415, 'UNSUPPORTED_MEDIA_TYPE')
  })

  it('body over 256 KiB → 413, and nothing is stored', async () => {
    const app = await buildTestApp()
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      headers: { ...authHeaders, 'content-type': 'application/json' },
      payload: JSON.stringify({ items: [{ productId: 1, quantity: 1 }], customerEmail: 'a'.repeat(300 * 1024) }),
    })
    expectJsonError(response, 413, 'PAYLOAD_TOO_LARGE')
    expect((await app.inject({ url: '/orders', headers: authHeaders })).json()).toEqual([])
  })

  it('unknown route → 404, bad path and query parameters → 400', async () => {
    const app = await buildTestApp()
    expectJsonError(await app.inject({ url: '/nope', headers: authHeaders }), 404, 'NOT_FOUND')
    expectJsonError(await app.inject({ url: '/products/abc', headers: authHeaders }), 400, 'VALIDATION')
    expectJsonError(await app.inject({ url: '/products?pageSize=0', headers: authHeaders }), 400, 'VALIDATION')
    expectJsonError(await app.inject({ url: '/products?pageSize=201', headers: authHeaders }), 400, 'VALIDATION')
    expectJsonError(await app.inject({ url: '/products?offset=-1', headers: authHeaders }), 400, 'VALIDATION')
  })

  it('an unexpected failure → 500 with a masked message; the detail stays in the log', async () => {
    const store = await openStore({ databaseUrl: 'sqlite::memory:', seedDemoData: true })
    const lines: string[] = []
    const logger = createLogger('info', { write: (line: string) => lines.push(line) })
    const app = await buildApp(testConfig(), {
      logger,
      store: { ...store, listProducts: () => Promise.reject(new Error('disk on fire at /var/secret/path')) },
    })
    const response = await app.inject({ url: '/products', headers: authHeaders })
    expectJsonError(response, 500, 'INTERNAL')
    expect(response.body).not.toContain('disk on fire')
    expect(lines.join('\n')).toContain('disk on fire')
    await app.close()
    await store.close()
  })

  it('/healthz answers 503 when the database is unreachable', async () => {
    const store = await openStore({ databaseUrl: 'sqlite::memory:', seedDemoData: false })
    const app = await buildApp(testConfig(), { logger: createLogger('silent'), store })
    await store.close()
    const response = await app.inject({ url: '/healthz' })
    expect(response.statusCode).toBe(503)
    expect(response.json()).toMatchObject({ status: 'unavailable', database: 'unreachable' })
    await app.close()
  })
})
