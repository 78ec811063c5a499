// Counts failed logins per client, so that a client who keeps failing is refused whatever password it sends:
// in memory on each dyno, and also in Redis (Heroku Key-Value Store) when REDIS_URL is set, so that every dyno counts
// alike.
import { once } from 'node:events'
import type { FastifyBaseLogger } from 'fastify'
import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible'

/** Failed logins a client may make in one window before it is refused. */
export const LOGIN_FAILURES_ALLOWED = 10
export const LOGIN_FAILURE_WINDOW_S = 60
/** The longest a login waits on Redis for one command, and start-up for a connection, before memory decides alone. */
const REDIS_WAIT_MS = 250
/** A new connection (TCP and TLS) may take longer: nothing waits on it, memory counts meanwhile. */
const REDIS_CONNECT_TIMEOUT_MS = 2000

export interface LoginThrottle {
  /**
   * Counts one login of `key` (`failed`: a wrong or malformed credential) and says whether to refuse it: the seconds
   * to wait when `key` has used up its failed logins for the window, undefined while it may try.
   */
  settle(key: string, failed: boolean): Promise<number | undefined>
  close(): Promise<void>
}

/**
 * rate-limiter-flexible rather than @fastify/rate-limit: the latter counts every request that passes its hook and
 * cannot read a counter without adding to it, while this needs to count failures only and to read the count of a
 * login that succeeds (its `penalty` and `get`; the library's wiki shows this very use, "Login endpoint
 * protection").
 *
 * Every failure is counted in memory, and in Redis too when there is one; a client is refused when either count is
 * used up. Redis makes the count shared by every dyno; memory keeps this dyno's own count whatever Redis does, so a
 * Redis that stops answering or restarts empty loses no lock-out. (The library's insuranceLimiter counts in memory
 * only for the calls that fail, and is never read again once Redis answers, which dropped such lock-outs.)
 */
export async function createLoginThrottle(
  redisUrl: string | undefined,
  log: FastifyBaseLogger,
): Promise<LoginThrottle> {
  const options = { points: LOGIN_FAILURES_ALLOWED, duration: LOGIN_FAILURE_WINDOW_S, keyPrefix: 'flowcart-login' }
  const memory = new RateLimiterMemory(options)
  let shared: RateLimiterRedis | undefined
  let close = async () => {}
  if (redisUrl) {
    const redis = await connectRedis(redisUrl, log)
    // Not ready (connecting, or gone) means not asked at all: memory decides at once.
    shared = new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true })
    close = async () => {
      redis.disconnect()
    }
  }
  /** A count Redis could not give is left out: memory decides. */
  const skipUnanswered = (error: unknown) => {
    log.debug({ err: error }, 'Redis did not answer; failed logins counted in memory')
    return null
  }
  return {
    async settle(key, failed) {
      // A failure is counted before anything is awaited (the memory counter's penalty changes its count at once; the
      // promise only reports it), so guesses that arrive together cannot all be checked before one is counted. In
      // Redis the count and the check are one INCR, so dynos that share it cannot race either.
      const local = waitIfLockedOut(await (failed ? memory.penalty(key) : memory.get(key)), failed)
      if (local !== undefined || !shared) return local
      return waitIfLockedOut(await (failed ? shared.penalty(key) : shared.get(key)).catch(skipUnanswered), failed)
    },
    close: () => close(),
  }
}

/** Seconds left in the window of a key that has used up its failed logins; undefined while it may try. */
function waitIfLockedOut(state: RateLimiterRes | null, failed: boolean): number | undefined {
  // A failure is already in the count it is judged by: the tenth is let through, the eleventh is not.
  const lockedAt = failed ? LOGIN_FAILURES_ALLOWED + 1 : LOGIN_FAILURES_ALLOWED
  if (!state || state.consumedPoints < lockedAt) return undefined
  return Math.max(1, Math.ceil(state.msBeforeNext / 1000))
}

async function connectRedis(url: string, log: FastifyBaseLogger): Promise<Redis> {
  const { Redis } = await import('ioredis')
  // Heroku Key-Value Store serves TLS with a self-signed certificate, so its clients are told not to verify it
  // (https://devcenter.heroku.com/articles/connecting-heroku-redis#connecting-in-node-js).
  const redis = new Redis(url, {
    tls: url.startsWith('rediss:') ? { rejectUnauthorized: false } : undefined,
    // A command with no answer in time fails (commandTimeout), and a connection that answers nothing in time is
    // dropped (socketTimeout) so that the next logins, with Redis not ready, do not wait at all while it reconnects.
    commandTimeout: REDIS_WAIT_MS,
    socketTimeout: REDIS_WAIT_MS,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    // Commands fail at once while disconnected, and are never sent twice (a count must not be added twice).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  })
  let reported = false
  redis.on('ready', () => {
    if (reported) log.info('Redis answers again: failed logins are counted across dynos')
    reported = false
  })
  redis.on('error', (error: Error) => {
    if (!reported) log.warn({ err: error }, 'Redis unreachable: failed logins are counted on this dyno only')
    reported = true
  })
  // Start counting in Redis from the first request if it is ready in time; if not, memory counts until it is.
  await once(redis, 'ready', { signal: AbortSignal.timeout(REDIS_WAIT_MS) }).catch(() => {})
  return redis
}
