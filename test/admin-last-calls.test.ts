// Each org's last call on the API (org_calls), as the admin's figures show it: recorded once the caller is
// authenticated, at most once a minute per org and process, and never in the way of the request itself.
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../src/app.js'
import type { Database } from '../src/db/connect.js'
import { createLogger } from '../src/logger.js'
import { toOrgId18 } from '../src/orgs/org-id.js'
import { addOrg } from '../src/orgs/service.js'
import { clientContextHeader } from '../tools/applink-stand-in/mesh.js'
import {
  basicAuth,
  createPostgresDatabase,
  databaseUrlFor,
  engines,
  openTestDatabase,
  postgresAvailable,
  registerCleanup,
  testConfig,
} from './helper.js'
import { ADMIN_ENV, startAdminApp } from './support/admin.js'
import { captureLines } from './support/log-capture.js'

const lastCalls = async (db: Database) =>
  Object.fromEntries(
    (await db.kysely.selectFrom('org_calls').selectAll().execute()).map((row) => [
      row.org_key,
      new Date(row.last_call_at).toISOString(),
    ]),
  )

describe.each(engines)('the last call of each org on %s', (engine) => {
  it("is recorded for an org's login and the default login, never for a refused one", async () => {
    const startedAt = Date.now()
    const { app, db } = await startAdminApp(engine)
    const acme = await addOrg(db, { orgId: '00D5g000004AbCd', name: 'Acme' })
    const call = (authorization: string) => app.inject({ url: '/products/1', headers: { authorization } })
    expect((await call(basicAuth(acme.org.username, acme.password))).statusCode).toBe(200)
    expect((await call(basicAuth())).statusCode).toBe(200)
    expect((await call(basicAuth(acme.org.username, 'wrong'))).statusCode).toBe(401)
    // Closing waits for the writes still under way.
    await app.close()
    const recorded = await lastCalls(db)
    expect(Object.keys(recorded).sort()).toEqual([acme.org.orgId, 'default'])
    for (const at of Object.values(recorded)) expect(Date.parse(at)).toBeGreaterThanOrEqual(startedAt)
  })

  it('is written at most once a minute per org by a process', async () => {
    const { app, db } = await startAdminApp(engine)
    const call = () => app.inject({ url: '/products/1', headers: { authorization: basicAuth() } })
    await call()
    await expect.poll(async () => Object.keys(await lastCalls(db))).toEqual(['default'])
    const earlier = '2026-01-01T00:00:00.000Z'
    await db.kysely.updateTable('org_calls').set({ last_call_at: earlier }).execute()
    await call()
    await app.close()
    expect(await lastCalls(db)).toEqual({ default: earlier })
  })

  it('never fails the request when it cannot be written, and says so in the log', async () => {
    const databaseUrl = await databaseUrlFor(engine)
    const db = await openTestDatabase(databaseUrl)
    const log = captureLines()
    const app = await buildApp(testConfig({ DATABASE_URL: databaseUrl, ...ADMIN_ENV }), {
      logger: createLogger('info', log.stream),
      db,
    })
    registerCleanup(() => app.close())
    await db.kysely.schema.dropTable('org_calls').execute()
    expect((await app.inject({ url: '/products/1', headers: { authorization: basicAuth() } })).statusCode).toBe(200)
    await app.close()
    const warning = log
      .text()
      .split('\n')
      .filter((line) => line.includes('last call was not recorded'))
      .map((line) => JSON.parse(line))
    expect(warning).toMatchObject([{ level: 40, orgKey: 'default' }])
  })
})

describe('the last call of an AppLink caller', () => {
  it("is recorded under the calling org's 18-character Id", async () => {
    const { app, db } = await startAdminApp('sqlite', { env: { AUTH_MODE: 'applink', APP_PORT: '0' } })
    const orgId = toOrgId18('00D5g000004AbCd')
    const context = clientContextHeader(
      {
        accessToken: 't',
        userId: '005000000000001AAA',
        username: 'u',
        orgId,
        instanceUrl: 'https://acme.my.salesforce.com',
      },
      '62.0',
      'r',
    )
    expect((await app.inject({ url: '/products/1', headers: { 'x-client-context': context } })).statusCode).toBe(200)
    expect((await app.inject({ url: '/products/1' })).statusCode).toBe(401)
    await app.close()
    expect(Object.keys(await lastCalls(db))).toEqual([orgId])
  })
})

describe.skipIf(!postgresAvailable)('the last call, while its table is locked', () => {
  it('does not hold up the answer: the write waits, the request does not', async () => {
    const databaseUrl = await createPostgresDatabase()
    const db = await openTestDatabase(databaseUrl)
    const app = await buildApp(testConfig({ DATABASE_URL: databaseUrl }), { logger: createLogger('silent'), db })
    registerCleanup(() => app.close())
    await app.ready()
    const locker = new pg.Client({ connectionString: databaseUrl })
    await locker.connect()
    registerCleanup(() => locker.end())
    await locker.query('begin')
    await locker.query('lock table org_calls in access exclusive mode')

    const answered = await app.inject({ url: '/products/1', headers: { authorization: basicAuth() } })
    expect(answered.statusCode).toBe(200)
    // The write is still waiting: the locking session itself sees no row.
    expect((await locker.query('select org_key from org_calls')).rows).toEqual([])

    await locker.query('commit')
    await expect.poll(async () => Object.keys(await lastCalls(db))).toEqual(['default'])
  })
})
