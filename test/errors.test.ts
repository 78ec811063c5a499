import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import { createLogger } from '../src/logger.js'
import {
  authHeaders,
  buildTestApp,
  createPostgresDatabase,
  openTestDatabase,
  postgresAvailable,
  registerCleanup,
  testConfig,
} from './helper.js'

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

  it('wrong content type → 415, text/plain included, on both routes with a body', async () => {
    const app = await buildTestApp()
    for (const [method, url] of [
      ['POST', '/orders'],
      ['PUT', '/inventory/1'],
    ] as const) {
      for (const contentType of ['application/xml', 'text/plain', 'application/x-www-form-urlencoded']) {
        const response = await app.inject({
          method,
          url,
          headers: { ...authHeaders, 'content-type': contentType },
          payload: '{"quantityInStock": 1, "items": [{"productId": 1, "quantity": 1}]}',
        })
        expectJsonError(response, 415, 'UNSUPPORTED_MEDIA_TYPE')
      }
    }
  })

  it('body over 256 KiB → 413 on both routes with a body, and nothing is stored', async () => {
    const app = await buildTestApp()
    const large = 'a'.repeat(300 * 1024)
    for (const [method, url, body] of [
      ['POST', '/orders', { items: [{ productId: 1, quantity: 1 }], customerEmail: large }],
      ['PUT', '/inventory/1', { quantityInStock: 1, padding: large }],
    ] as const) {
      const response = await app.inject({
        method,
        url,
        headers: { ...authHeaders, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      })
      expectJsonError(response, 413, 'PAYLOAD_TOO_LARGE')
    }
    expect((await app.inject({ url: '/orders', headers: authHeaders })).json()).toEqual([])
    expect((await app.inject({ url: '/products/1', headers: authHeaders })).json().quantityInStock).toBe(40)
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
    const db = await openTestDatabase('sqlite::memory:')
    const lines: string[] = []
    const logger = createLogger('info', { write: (line: string) => lines.push(line) })
    // Every read of a table fails as a broken disk would, with a detail that must stay out of the answer.
    const failing = new Proxy(db.kysely, {
      get: (target, name, receiver) =>
        name === 'selectFrom'
          ? () => {
              throw new Error('disk on fire at /var/secret/path')
            }
          : Reflect.get(target, name, receiver),
    })
    const app = await buildApp(testConfig(), { logger, db: { ...db, kysely: failing } })
    const response = await app.inject({ url: '/products', headers: authHeaders })
    expectJsonError(response, 500, 'INTERNAL')
    expect(response.body).not.toContain('disk on fire')
    expect(lines.join('\n')).toContain('disk on fire')
    await app.close()
  })

  it('/healthz answers 503 when the database is unreachable', async () => {
    const db = await openTestDatabase('sqlite::memory:', { seedDemoData: false, keepOpen: true })
    const app = await buildApp(testConfig(), { logger: createLogger('silent'), db })
    await db.close()
    const response = await app.inject({ url: '/healthz' })
    expect(response.statusCode).toBe(503)
    expect(response.json()).toMatchObject({ status: 'unavailable', database: 'unreachable' })
    await app.close()
  })
})

describe.skipIf(!postgresAvailable)('PostgreSQL connections', () => {
  it('survives the server dropping the pool’s idle connections', async () => {
    const databaseUrl = await createPostgresDatabase()
    const app = await buildApp(testConfig({ DATABASE_URL: databaseUrl }), { logger: createLogger('silent') })
    registerCleanup(() => app.close())
    expect((await app.inject({ url: '/products/1', headers: authHeaders })).statusCode).toBe(200)

    const admin = new pg.Client({ connectionString: databaseUrl })
    await admin.connect()
    const { rowCount } = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    )
    await admin.end()
    expect(rowCount).toBeGreaterThan(0)
    await new Promise((resolve) => setTimeout(resolve, 100))

    expect((await app.inject({ url: '/products/1', headers: authHeaders })).statusCode).toBe(200)
  })
})
