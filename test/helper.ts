// Builds the real app on a real database for each test, and knows how to reach PostgreSQL when it is there.
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterEach } from 'vitest'
import { buildApp } from '../src/app.js'
import { type Config, loadConfig } from '../src/config.js'
import { type Database, type DatabaseOptions, openDatabase } from '../src/db/connect.js'
import { createLogger } from '../src/logger.js'
import { prepareDatabase } from '../src/prepare-database.js'

export const TEST_USER = 'flowcart'
export const TEST_PASSWORD = 'test-password-0123456789'
export const basicAuth = (user = TEST_USER, password = TEST_PASSWORD) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
export const authHeaders = { authorization: basicAuth() }

const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const POSTGRES_REQUIRED = process.env.REQUIRE_POSTGRES === 'true'

async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('select 1')
    return undefined
  } catch (error) {
    return (error as Error).message || String(error)
  } finally {
    await client.end().catch(() => {})
  }
}

const postgresProblem = await probePostgres()
if (postgresProblem && POSTGRES_REQUIRED) {
  throw new Error(`REQUIRE_POSTGRES=true but PostgreSQL at ${POSTGRES_URL} is unreachable: ${postgresProblem}`)
}
if (postgresProblem) {
  console.warn(
    `\n*** PostgreSQL tests SKIPPED: ${POSTGRES_URL} unreachable (${postgresProblem}). Set TEST_POSTGRES_URL or run .ci/run. ***\n`,
  )
}
export const postgresAvailable = postgresProblem === undefined

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

async function probeRedis(): Promise<string | undefined> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0 })
  redis.on('error', () => {})
  try {
    await redis.connect()
    await redis.ping()
    return undefined
  } catch (error) {
    return (error as Error).message || String(error)
  } finally {
    redis.disconnect()
  }
}

const redisProblem = await probeRedis()
if (redisProblem && process.env.REQUIRE_REDIS === 'true') {
  throw new Error(`REQUIRE_REDIS=true but Redis at ${TEST_REDIS_URL} is unreachable: ${redisProblem}`)
}
if (redisProblem) {
  console.warn(
    `\n*** Redis tests SKIPPED: ${TEST_REDIS_URL} unreachable (${redisProblem}). Set TEST_REDIS_URL or run .ci/run. ***\n`,
  )
}
export const redisAvailable = redisProblem === undefined

/** A fresh, empty PostgreSQL database for one test, dropped afterwards. */
export async function createPostgresDatabase(): Promise<string> {
  const name = `flowcart_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: POSTGRES_URL })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  cleanups.push(async () => {
    const dropper = new pg.Client({ connectionString: POSTGRES_URL })
    await dropper.connect()
    // The app's pool has ended, but its sessions may still be closing: forcing them off would surface as an
    // unhandled error in the closing client, so wait for them to leave first.
    for (let attempt = 0; attempt < 100; attempt++) {
      const { rows } = await dropper.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name])
      if (rows[0].n === 0) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await dropper.query(`drop database if exists ${name} with (force)`)
    await dropper.end()
  })
  const url = new URL(POSTGRES_URL)
  url.pathname = `/${name}`
  return url.toString()
}

export type EngineName = 'sqlite' | 'postgres'
/** The engines a store test runs on: SQLite always, PostgreSQL when reachable. */
export const engines: EngineName[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite']

export async function databaseUrlFor(engine: EngineName): Promise<string> {
  return engine === 'postgres' ? createPostgresDatabase() : 'sqlite::memory:'
}

/** A database that several connections or processes can open: a fresh PostgreSQL database, or a SQLite file. */
export async function sharedDatabaseUrlFor(engine: EngineName): Promise<string> {
  if (engine === 'postgres') return createPostgresDatabase()
  return `sqlite:${join(mkdtempSync(join(tmpdir(), 'flowcart-test-')), 'flowcart.db')}`
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ API_PASSWORD: TEST_PASSWORD, LOG_LEVEL: 'silent', ...overrides })
}

const cleanups: Array<() => Promise<void>> = []
/** Runs after the test, in reverse order of registration. */
export const registerCleanup = (cleanup: () => Promise<void>) => {
  cleanups.push(cleanup)
}
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

/** The real app on a fresh database of the given engine, closed after the test. */
export async function buildTestApp(
  engine: EngineName = 'sqlite',
  env: Record<string, string> = {},
): Promise<FastifyInstance> {
  const databaseUrl = await databaseUrlFor(engine)
  const config = testConfig({ DATABASE_URL: databaseUrl, ...env })
  const app = await buildApp(config, { logger: createLogger('silent') })
  cleanups.push(() => app.close())
  await app.ready()
  return app
}

/**
 * The database at `databaseUrl`, prepared as the app prepares its own (the demo catalog seeded unless
 * `seedDemoData: false`), so a test can arrange rows, hand it to buildApp, or look at what was stored; closed after
 * the test unless `keepOpen`.
 */
export async function openTestDatabase(
  databaseUrl: string,
  options: { seedDemoData?: boolean; keepOpen?: boolean } & DatabaseOptions = {},
): Promise<Database> {
  const db = await openDatabase(databaseUrl, options)
  await prepareDatabase(db, { seedDemoData: options.seedDemoData ?? true })
  if (!options.keepOpen) cleanups.push(() => db.close())
  return db
}
