// With REDIS_URL set, a Redis that stops answering or goes away never holds a request, and failed logins are still
// counted; a lock-out counted in memory meanwhile outlasts Redis's return. Each test runs a private redis-server.
import { randomInt } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { LOGIN_FAILURES_ALLOWED } from '../src/http/login-throttle.js'
import { basicAuth, buildTestApp, registerCleanup, TEST_PASSWORD } from './helper.js'
import { type RedisProcess, redisServerInstalled, startRedis } from './support/redis-process.js'

const newClient = () => `198.51.${randomInt(0, 255)}.${randomInt(1, 255)}`
// A catalog to read: where a platform runs flowcart, the demo catalog is seeded only when asked.
const behindRouter = { DYNO: 'web.1', SEED_DEMO_DATA: 'true' }

/** Far more than a login may wait on Redis, and far less than the half minute a frozen Redis used to hold one. */
const PATIENCE_MS = 5000

/** `work`'s result, or a failure naming `what` if it has not settled within PATIENCE_MS. */
async function answered<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const abort = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${PATIENCE_MS} ms`)), PATIENCE_MS)
  })
  try {
    return await Promise.race([work, abort])
  } finally {
    clearTimeout(timer)
  }
}

const login = (app: FastifyInstance, client: string, password: string) =>
  answered(
    `login from ${client}`,
    app.inject({
      url: '/products/1',
      headers: { authorization: basicAuth('flowcart', password), 'x-forwarded-for': client },
    }),
  ).then((response) => response.statusCode)

async function expectLockedOutAfterFailures(app: FastifyInstance, client: string) {
  for (let attempt = 0; attempt < LOGIN_FAILURES_ALLOWED; attempt++) {
    expect(await login(app, client, `guess-${attempt}`)).toBe(401)
  }
  expect(await login(app, client, TEST_PASSWORD)).toBe(429)
}

/** A client of the private Redis, to see what the app stored there. */
function inspect(redis: RedisProcess) {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 0, lazyConnect: true })
  client.on('error', () => {})
  registerCleanup(async () => client.disconnect())
  return client
}

/** Resolves once the app counts in the private Redis again: a failed login of a new client shows up there. */
async function countingInRedis(app: FastifyInstance, redis: RedisProcess) {
  const store = inspect(redis)
  for (let attempt = 0; attempt < 200; attempt++) {
    const probe = newClient()
    expect(await login(app, probe, 'probe')).toBe(401)
    if ((await store.keys(`*${probe}*`)).length > 0) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('the app never counted in Redis again')
}

async function appOn(redis: RedisProcess) {
  return answered('start-up', buildTestApp('sqlite', { ...behindRouter, REDIS_URL: redis.url }))
}

describe.skipIf(!redisServerInstalled)('login throttle when Redis stops answering', () => {
  it('answers authenticated requests while Redis is frozen, and still locks out after 10 failures', async () => {
    const redis = await startRedis()
    const app = await appOn(redis)
    await countingInRedis(app, redis)
    expect(await login(app, newClient(), TEST_PASSWORD)).toBe(200)

    redis.freeze()
    for (let request = 0; request < 5; request++) expect(await login(app, newClient(), TEST_PASSWORD)).toBe(200)
    await expectLockedOutAfterFailures(app, newClient())
    expect(await login(app, newClient(), TEST_PASSWORD)).toBe(200)
  })

  it('keeps a client that was locked out while Redis was frozen locked out once Redis answers again', async () => {
    const redis = await startRedis()
    const app = await appOn(redis)
    await countingInRedis(app, redis)
    redis.freeze()
    const client = newClient()
    await expectLockedOutAfterFailures(app, client)
    redis.thaw()
    await countingInRedis(app, redis)
    expect(await login(app, client, TEST_PASSWORD)).toBe(429)
  })

  it('keeps a client that was locked out while Redis was down locked out once a new, empty Redis starts on its port', async () => {
    const redis = await startRedis()
    const app = await appOn(redis)
    await countingInRedis(app, redis)
    await redis.kill()
    const client = newClient()
    await expectLockedOutAfterFailures(app, client)
    await redis.restart()
    await countingInRedis(app, redis)
    expect(await login(app, client, TEST_PASSWORD)).toBe(429)
    // Counting in Redis again: another dyno on the same Redis sees the same counts from here on.
    const otherDyno = await appOn(redis)
    const next = newClient()
    for (let attempt = 0; attempt < LOGIN_FAILURES_ALLOWED; attempt++) {
      expect(await login(attempt % 2 ? app : otherDyno, next, `guess-${attempt}`)).toBe(401)
    }
    expect(await login(otherDyno, next, TEST_PASSWORD)).toBe(429)
  })

  it('starts promptly on a Redis that is frozen from the start, and counts in memory', async () => {
    const redis = await startRedis()
    redis.freeze()
    const app = await appOn(redis)
    expect(await login(app, newClient(), TEST_PASSWORD)).toBe(200)
    await expectLockedOutAfterFailures(app, newClient())
  })
})
